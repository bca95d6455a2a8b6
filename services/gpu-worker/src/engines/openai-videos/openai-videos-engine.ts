import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import {
  EngineFailure,
  InvalidJobInput,
  type EngineIdentity,
  type EngineReadiness,
  type InferenceEngine,
  type RenderContext,
  type RenderRequest,
  type RenderedVideo,
} from '../../engine/engine.ts';
import { describeError, EngineHttp, engineErrorMessage, type EngineResponse } from './engine-http.ts';

export interface OpenAiVideosOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8000 (a sidecar in the worker's pod). */
  baseUrl: string;
  healthPath: string;
  /** Sent as `model`; the server refuses a model it does not serve. */
  model?: string;
  apiKey?: string;
  startTimeoutMs: number;
  renderTimeoutMs: number;
  unresponsiveMs: number;
  pollMs: number;
  /** How long one request may take (a status read, a health check). */
  requestTimeoutMs?: number;
}

/** A video job on the server, as `GET /v1/videos/{id}` describes it (OpenAI's Video object). */
interface VideoJob {
  id: string;
  status: 'queued' | 'in_progress' | 'completed' | 'failed';
  progress?: number;
  error?: { code?: number | string; message?: string } | null;
}

/** DELETE answers 409 while the server is still stopping the render; it is asked again. */
const ABORT_RETRY_MS = 500;
const ABORT_GIVE_UP_MS = 15_000;

/**
 * Engine `openai-videos`: drives an OpenAI-shaped video server beside the worker (vLLM-Omni's
 * documented `/v1/videos`: create a job with a multipart form, poll its status and progress,
 * download `/content`, `DELETE` to abort). The server owns the GPU; this engine owns the job's
 * life: it maps the parameters, relays progress, stops the render within seconds of a cancel,
 * and fails the job, never leaving it running, when the server dies, hangs or takes too long.
 */
export class OpenAiVideosEngine implements InferenceEngine {
  readonly kind = 'openai-videos';
  // The server's own progress covers sampling, decode and its MP4; then the download.
  readonly progressPlan = [
    ['generate', 90],
    ['download', 3],
  ] as const;

  private readonly http: EngineHttp;
  private readonly options: OpenAiVideosOptions;

  constructor(options: OpenAiVideosOptions) {
    this.options = options;
    this.http = new EngineHttp(options.baseUrl, options.apiKey, options.requestTimeoutMs ?? 30_000);
  }

  /** Waits for the server's first healthy answer, then learns which model it serves. */
  async load(signal: AbortSignal): Promise<EngineIdentity> {
    const deadline = Date.now() + this.options.startTimeoutMs;
    let readiness = await this.ready();
    while (!readiness.ready) {
      if (Date.now() > deadline) {
        throw new Error(
          `The engine at ${this.options.baseUrl} was not healthy within ${this.options.startTimeoutMs / 1000} s ` +
            `(last: ${readiness.reason}); check the engine container's logs`,
        );
      }
      await sleep(Math.min(2000, this.options.pollMs * 2), undefined, { signal });
      readiness = await this.ready();
    }
    const served = await this.servedModels();
    const model = this.options.model ?? served[0] ?? 'unknown';
    if (this.options.model && served.length > 0 && !served.includes(this.options.model)) {
      throw new Error(
        `ENGINE_MODEL is ${this.options.model} but the engine at ${this.options.baseUrl} serves ${served.join(', ')}`,
      );
    }
    return { modelHash: `openai-videos:${model}`, description: `${model} at ${this.options.baseUrl}` };
  }

  async ready(): Promise<EngineReadiness> {
    const timeoutMs = Math.min(5000, this.options.unresponsiveMs);
    try {
      const response = await this.http.request('GET', this.options.healthPath, { timeoutMs });
      return response.status === 200
        ? { ready: true }
        : { ready: false, reason: `GET ${this.options.healthPath} answered ${response.status}` };
    } catch (error) {
      return { ready: false, reason: `GET ${this.options.healthPath} failed: ${describeError(error)}` };
    }
  }

  async render(request: RenderRequest, context: RenderContext): Promise<RenderedVideo> {
    const deadline = Date.now() + this.options.renderTimeoutMs;
    const created = await this.create(request);
    try {
      await this.waitUntilDone(created.id, context, deadline);
      const path = join(context.workDir, 'engine.mp4');
      await this.download(created.id, path, context);
      // Done with it: the server keeps outputs on its disk until they are deleted.
      await this.http.request('DELETE', `/v1/videos/${created.id}`).catch(() => undefined);
      return { kind: 'mp4', path };
    } catch (error) {
      if (context.signal.aborted) {
        await this.abort(created.id);
        throw context.signal.reason;
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    // Nothing of ours runs: the server lives in its own container.
  }

  private async create(request: RenderRequest): Promise<VideoJob> {
    const form = new FormData();
    form.set('prompt', request.prompt);
    if (request.negativePrompt) form.set('negative_prompt', request.negativePrompt);
    if (this.options.model) form.set('model', this.options.model);
    form.set('size', `${request.width}x${request.height}`);
    form.set('seconds', String(request.durationSeconds));
    // vLLM-Omni derives frames from seconds x fps unless told; Wan renders 4k + 1 of them.
    form.set('num_frames', String(request.frames));
    form.set('fps', String(request.fps));
    form.set('num_inference_steps', String(request.steps));
    form.set('guidance_scale', String(request.guidanceScale));
    form.set('seed', String(request.seed));
    if (request.image) {
      const png = await sharp(request.image.rgb, {
        raw: { width: request.image.width, height: request.image.height, channels: 3 },
      })
        .png()
        .toBuffer();
      form.set('input_reference', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'input.png');
    }
    let response: EngineResponse;
    try {
      response = await this.http.request('POST', '/v1/videos', { body: form });
    } catch (error) {
      throw new EngineFailure(`The engine did not take the job: ${describeError(error)}`);
    }
    const body = response.json as VideoJob | undefined;
    if (response.status >= 400 && response.status < 500) {
      // The engine refuses these parameters (a size or length its model cannot do): the job's fault.
      throw new InvalidJobInput(`The engine refused the job: ${engineErrorMessage(response)}`);
    }
    if (response.status !== 200 || typeof body?.id !== 'string') {
      throw new EngineFailure(`The engine could not take the job: ${engineErrorMessage(response)}`);
    }
    return body;
  }

  private async waitUntilDone(id: string, context: RenderContext, deadline: number): Promise<void> {
    let silentSince: number | null = null;
    for (;;) {
      if (context.signal.aborted) throw context.signal.reason;
      if (Date.now() > deadline) {
        await this.abort(id);
        throw new EngineFailure(
          `The engine did not finish video ${id} within ${this.options.renderTimeoutMs / 1000} s; it was stopped`,
        );
      }
      let job: VideoJob | null = null;
      try {
        const response = await this.http.request('GET', `/v1/videos/${id}`);
        job = this.jobFrom(id, response);
        silentSince = null;
      } catch (error) {
        if (error instanceof EngineFailure) throw error;
        silentSince ??= Date.now();
        if (Date.now() - silentSince > this.options.unresponsiveMs) {
          throw new EngineFailure(
            `The engine has not answered for ${Math.round((Date.now() - silentSince) / 1000)} s ` +
              `(${describeError(error)}); it crashed or hangs`,
          );
        }
      }
      if (job) {
        if (job.status === 'completed') {
          context.onProgress({ stage: 'generate', done: 100, total: 100 });
          return;
        }
        if (job.status === 'failed') {
          const message = job.error?.message ?? 'no reason given';
          const code = Number(job.error?.code);
          if (code >= 400 && code < 500) throw new InvalidJobInput(`The engine refused the job: ${message}`);
          throw new EngineFailure(`The engine failed the job: ${message}`);
        }
        if (typeof job.progress === 'number') {
          context.onProgress({
            stage: 'generate',
            done: Math.min(99, Math.max(0, job.progress)),
            total: 100,
          });
        }
      }
      await sleep(this.options.pollMs, undefined, { signal: context.signal }).catch(() => undefined);
    }
  }

  /** Reads a status answer; a failed job comes back with the error's status code (vLLM-Omni). */
  private jobFrom(id: string, response: EngineResponse): VideoJob {
    const body = response.json as VideoJob | undefined;
    if (body && typeof body.status === 'string' && body.id === id) return body;
    if (response.status === 404) {
      throw new EngineFailure(`The engine no longer knows video ${id}: it restarted and lost the job`);
    }
    throw new EngineFailure(
      `The engine answered the status of video ${id} with ${engineErrorMessage(response)}`,
    );
  }

  private async download(id: string, path: string, context: RenderContext): Promise<void> {
    const { response, touch, done } = await this.http
      .stream(`/v1/videos/${id}/content`, { signal: context.signal, idleMs: this.options.unresponsiveMs })
      .catch((error: unknown) => {
        if (context.signal.aborted) throw context.signal.reason;
        throw new EngineFailure(`The engine's video could not be downloaded: ${describeError(error)}`);
      });
    try {
      if (response.status !== 200 || !response.body) {
        const text = await response.text().catch(() => '');
        throw new EngineFailure(
          `The engine's video could not be downloaded: ${engineErrorMessage({ status: response.status, text, json: parse(text) })}`,
        );
      }
      const total = Number(response.headers.get('content-length')) || 0;
      let received = 0;
      const body = Readable.fromWeb(response.body);
      body.on('data', (chunk: Buffer) => {
        touch();
        received += chunk.length;
        if (total > 0) context.onProgress({ stage: 'download', done: received, total });
      });
      try {
        await pipeline(body, createWriteStream(path));
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        throw new EngineFailure(`The engine's video download broke off: ${describeError(error)}`);
      }
      if (total > 0 && received !== total) {
        throw new EngineFailure(`The engine's video download broke off at ${received} of ${total} bytes`);
      }
      context.onProgress({ stage: 'download', done: 1, total: 1 });
    } finally {
      done();
    }
  }

  /**
   * Stops the render on the server: DELETE, asked again while it answers 409 (the server is still
   * stopping it). Gives up after a while: the job ends here either way, the server's own
   * bookkeeping is its business.
   */
  private async abort(id: string): Promise<void> {
    const giveUp = Date.now() + ABORT_GIVE_UP_MS;
    while (Date.now() < giveUp) {
      const response = await this.http
        .request('DELETE', `/v1/videos/${id}`, { timeoutMs: 5000 })
        .catch(() => null);
      if (response && response.status !== 409) return;
      await sleep(ABORT_RETRY_MS);
    }
  }

  private async servedModels(): Promise<string[]> {
    try {
      const response = await this.http.request('GET', '/v1/models');
      const data = (response.json as { data?: { id?: unknown }[] } | undefined)?.data;
      return Array.isArray(data)
        ? data.map((entry) => entry.id).filter((id): id is string => typeof id === 'string')
        : [];
    } catch {
      return [];
    }
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
