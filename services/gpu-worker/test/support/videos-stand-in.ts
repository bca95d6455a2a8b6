// A stand-in for an OpenAI-shaped video server, written from vLLM-Omni's public documentation of
// its Videos API (docs/serving/videos_api.md, entrypoints/openai/api_server.py,
// protocol/videos.py) and OpenAI's Video object. Over real HTTP, with real MP4s made by ffmpeg:
//   POST   /v1/videos               multipart form → {id, object: "video", status: "queued", ...}
//   GET    /v1/videos/{id}          status (queued → in_progress → completed | failed) and progress;
//                                   a failed job answers with its error's status code
//   GET    /v1/videos/{id}/content  the MP4 (404 while in progress, 422 when failed)
//   DELETE /v1/videos/{id}          aborts a running job (409 while it is still stopping)
//   GET    /health, GET /v1/models
// Errors are vLLM's ErrorResponse: {"error": {"message", "type", "param", "code"}}.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface StandInBehaviour {
  /** Time a job waits for the scheduler (status `queued`). */
  queuedMs: number;
  /** Time a job renders (status `in_progress`, progress rising to 99). */
  renderMs: number;
  /** ok: completes; fail: fails like an out-of-memory GPU; hang: stays in progress, progress frozen. */
  outcome: 'ok' | 'fail' | 'hang';
  /** contract: H.264 yuv420p +faststart; tail-moov: moov at the end; yuv444: another chroma layout; garbage: not a video. */
  output: 'contract' | 'tail-moov' | 'yuv444' | 'garbage';
  /** DELETE of a running job answers 409 ("Cancellation in progress") for this long. */
  cancelStallMs: number;
  /** When set, POST /v1/videos answers 400 with this message. */
  refuse: string | null;
}

export interface CreatedVideo {
  id: string;
  fields: Record<string, string>;
  reference?: { type: string; name: string; bytes: Buffer };
}

interface Job {
  id: string;
  created: number;
  status: 'queued' | 'in_progress' | 'completed' | 'failed';
  startedAt: number | null;
  frozenProgress: number | null;
  file: string | null;
  error: { code: number; message: string } | null;
  cancelAskedAt: number | null;
  timers: NodeJS.Timeout[];
  size: string;
  seconds: string;
  prompt: string;
}

const SIZE = /^\d+x\d+$/;
const SECONDS = /^[1-9]\d*$/;

export class VideosStandIn {
  readonly created: CreatedVideo[] = [];
  readonly requests: string[] = [];
  readonly deleted: string[] = [];
  healthy = true;
  behaviour: StandInBehaviour = {
    queuedMs: 100,
    renderMs: 600,
    outcome: 'ok',
    output: 'contract',
    cancelStallMs: 0,
    refuse: null,
  };

  private readonly jobs = new Map<string, Job>();
  private readonly sockets = new Set<Socket>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'cw-videos-stand-in-'));
  private server: Server;
  private frozen = false;
  private port = 0;

  private constructor(readonly model: string) {
    this.server = this.createServer();
  }

  static async start(model = 'Wan-AI/Wan2.2-TI2V-5B-Diffusers'): Promise<VideosStandIn> {
    const standIn = new VideosStandIn(model);
    await standIn.listen(0);
    return standIn;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  configure(behaviour: Partial<StandInBehaviour>): void {
    this.behaviour = { ...this.behaviour, ...behaviour };
  }

  /** The job's state as the server sees it, or undefined once deleted. */
  status(id: string): string | undefined {
    return this.jobs.get(id)?.status;
  }

  /** The process dies: every connection drops, nothing listens on the port any more. */
  async crash(): Promise<void> {
    for (const job of this.jobs.values()) job.timers.forEach(clearTimeout);
    this.jobs.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The process hangs: connections are accepted and never answered. */
  freeze(): void {
    this.frozen = true;
  }

  /** Starts again on the same port, with no jobs (a restarted container). */
  async restart(): Promise<void> {
    this.frozen = false;
    this.server = this.createServer();
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.crash().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private createServer(): Server {
    const server = createServer((request, response) => {
      if (this.frozen) return;
      this.handle(request, response).catch((error: Error) => {
        if (!response.headersSent) this.error(response, 500, `Internal error: ${error.message}`);
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    this.requests.push(`${request.method} ${path}`);
    const match = /^\/v1\/videos\/([^/]+)(\/content)?$/.exec(path);
    if (request.method === 'GET' && path === '/health') {
      response.writeHead(this.healthy ? 200 : 503).end();
    } else if (request.method === 'GET' && path === '/v1/models') {
      this.json(response, 200, {
        object: 'list',
        data: [{ id: this.model, object: 'model', owned_by: 'vllm-omni' }],
      });
    } else if (request.method === 'POST' && path === '/v1/videos') {
      await this.create(request, response);
    } else if (match && request.method === 'GET' && !match[2]) {
      this.retrieve(match[1], response);
    } else if (match && request.method === 'GET' && match[2]) {
      await this.content(match[1], response);
    } else if (match && request.method === 'DELETE' && !match[2]) {
      this.delete(match[1], response);
    } else {
      this.error(response, 404, 'Not Found');
    }
  }

  private async create(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = await new Request('http://stand-in/v1/videos', {
      method: 'POST',
      headers: request.headers as Record<string, string>,
      body: request as unknown as ReadableStream,
      duplex: 'half',
    } as RequestInit).formData();
    const fields: Record<string, string> = {};
    let reference: CreatedVideo['reference'];
    for (const [name, value] of form) {
      if (typeof value === 'string') fields[name] = value;
      else if (name === 'input_reference')
        reference = { type: value.type, name: value.name, bytes: Buffer.from(await value.arrayBuffer()) };
    }
    const problem = this.validate(fields);
    if (problem) return this.error(response, 400, problem);
    if (this.behaviour.refuse) return this.error(response, 400, this.behaviour.refuse);
    const id = `video_gen_${randomBytes(16).toString('hex')}`;
    this.created.push({ id, fields, reference });
    const job: Job = {
      id,
      created: Math.floor(Date.now() / 1000),
      status: 'queued',
      startedAt: null,
      frozenProgress: null,
      file: null,
      error: null,
      cancelAskedAt: null,
      timers: [],
      size: fields['size'] ?? `${fields['width']}x${fields['height']}`,
      seconds: fields['seconds'] ?? '4',
      prompt: fields['prompt'] ?? '',
    };
    this.jobs.set(id, job);
    this.schedule(job, fields);
    this.json(response, 200, this.view(job));
  }

  private validate(fields: Record<string, string>): string | null {
    if (!fields['prompt']) return 'prompt: Field required';
    if (fields['size'] !== undefined && !SIZE.test(fields['size']))
      return "size: String should match pattern '^\\d+x\\d+$'";
    if (fields['seconds'] !== undefined && !SECONDS.test(fields['seconds']))
      return "seconds: String should match pattern '^[1-9]\\d*$'";
    const steps = Number(fields['num_inference_steps'] ?? 1);
    if (!Number.isInteger(steps) || steps < 1 || steps > 200)
      return 'num_inference_steps: Input should be less than or equal to 200';
    const guidance = Number(fields['guidance_scale'] ?? 0);
    if (!(guidance >= 0 && guidance <= 20)) return 'guidance_scale: Input should be less than or equal to 20';
    for (const name of ['num_frames', 'fps', 'width', 'height']) {
      if (
        fields[name] !== undefined &&
        !(Number.isInteger(Number(fields[name])) && Number(fields[name]) >= 1)
      )
        return `${name}: Input should be greater than or equal to 1`;
    }
    if (fields['model'] && fields['model'] !== this.model)
      return `Model mismatch: request specifies '${fields['model']}' but server is running '${this.model}'.`;
    return null;
  }

  private schedule(job: Job, fields: Record<string, string>): void {
    const { queuedMs, renderMs, outcome } = this.behaviour;
    job.timers.push(
      setTimeout(() => {
        job.status = 'in_progress';
        job.startedAt = Date.now();
        if (outcome === 'hang') {
          job.timers.push(setTimeout(() => (job.frozenProgress = this.progress(job)), renderMs / 3));
          return;
        }
        job.timers.push(
          setTimeout(() => {
            if (outcome === 'fail') {
              job.status = 'failed';
              job.error = { code: 500, message: 'CUDA out of memory. Tried to allocate 20.00 GiB' };
              return;
            }
            void this.render(job, fields).then(
              (file) => {
                if (!this.jobs.has(job.id)) return;
                job.file = file;
                job.status = 'completed';
              },
              (error: Error) => {
                job.status = 'failed';
                job.error = { code: 500, message: error.message };
              },
            );
          }, renderMs),
        );
      }, queuedMs),
    );
  }

  private async render(job: Job, fields: Record<string, string>): Promise<string> {
    const path = join(this.dir, `${job.id}.mp4`);
    if (this.behaviour.output === 'garbage') {
      writeFileSync(path, JSON.stringify({ oops: 'this is not a video' }));
      return path;
    }
    const [width, height] = job.size.split('x').map(Number);
    const fps = Number(fields['fps'] ?? 24);
    const frames = Number(fields['num_frames'] ?? Number(job.seconds) * fps);
    const encoding = {
      contract: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart'],
      'tail-moov': ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
      yuv444: ['-c:v', 'libx264', '-pix_fmt', 'yuv444p'],
    }[this.behaviour.output];
    await promisify(execFile)('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`],
      ...['-frames:v', String(frames), ...encoding, path],
    ]);
    return path;
  }

  private progress(job: Job): number {
    if (job.status === 'completed') return 100;
    if (job.status !== 'in_progress' || job.startedAt === null) return 0;
    if (job.frozenProgress !== null) return job.frozenProgress;
    return Math.min(99, Math.floor(((Date.now() - job.startedAt) / this.behaviour.renderMs) * 100));
  }

  private view(job: Job): Record<string, unknown> {
    return {
      id: job.id,
      object: 'video',
      model: this.model,
      prompt: job.prompt,
      status: job.status,
      progress: this.progress(job),
      size: job.size,
      seconds: job.seconds,
      quality: 'default',
      created_at: job.created,
      completed_at: job.status === 'completed' ? Math.floor(Date.now() / 1000) : null,
      error: job.error,
      media_type: 'video/mp4',
      file_name: job.file ? `${job.id}.mp4` : null,
    };
  }

  private retrieve(id: string, response: ServerResponse): void {
    const job = this.jobs.get(id);
    if (!job) return this.error(response, 404, 'Video not found');
    // vLLM-Omni answers a failed job with its error's status code and the job as the body.
    this.json(response, job.status === 'failed' ? (job.error?.code ?? 500) : 200, this.view(job));
  }

  private async content(id: string, response: ServerResponse): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) return this.error(response, 404, 'Video not found');
    if (job.status === 'failed')
      return this.error(response, 422, 'Video generation failed. Check job status for error details.');
    if (!job.file) return this.error(response, 404, 'Generation is still in-progress');
    const bytes = await readFile(job.file);
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length }).end(bytes);
  }

  private delete(id: string, response: ServerResponse): void {
    const job = this.jobs.get(id);
    if (!job) return this.error(response, 404, 'Video not found');
    if (job.status === 'queued' || job.status === 'in_progress') {
      job.cancelAskedAt ??= Date.now();
      if (Date.now() - job.cancelAskedAt < this.behaviour.cancelStallMs)
        return this.error(response, 409, 'Cancellation in progress. Please try again later.');
    }
    job.timers.forEach(clearTimeout);
    if (job.file) rmSync(job.file, { force: true });
    this.jobs.delete(id);
    this.deleted.push(id);
    this.json(response, 200, { id, deleted: true, object: 'video.deleted' });
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private error(response: ServerResponse, status: number, message: string): void {
    const type =
      status === 404
        ? 'NotFoundError'
        : status === 409
          ? 'Conflict'
          : status < 500
            ? 'BadRequestError'
            : 'InternalServerError';
    this.json(response, status, { error: { message, type, param: null, code: status } });
  }
}
