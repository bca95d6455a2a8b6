/**
 * A stand-in for the CineWeave API's internal routes, for the controller suite's edge cases (refusals,
 * outages) that are slow or awkward to provoke in the real API. The end-to-end suite uses the real one.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InternalCreateJobRequest, InternalJobView, LimitRefusal } from '@cineweave/contracts';

/** The team the stub knows, and the personal team of its one user. */
export const STUB_TEAM = '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09';
export const STUB_PERSONAL_TEAM = '1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d';

export class StubApi {
  readonly jobs = new Map<string, InternalJobView>();
  readonly byUid = new Map<string, string>();
  readonly calls: string[] = [];
  readonly cancels: string[] = [];
  users = new Set<string>(['user-1']);
  teams = new Set<string>([STUB_TEAM]);
  /** Every submission body, in order (retries included). */
  readonly submissions: InternalCreateJobRequest[] = [];
  /** Answer every request with this status (e.g. 503) while set. */
  down: number | undefined;
  refuseWith:
    { status: number; code: string; detail: string; limit?: LimitRefusal; retryAfter?: number } | undefined;
  backlog = new Map<string, { waiting: number; active: number }>();
  /** While set, a succeeded job's GET carries presigned links that live this long, signed anew each time. */
  linkLifetimeMs: number | undefined;
  private signatures = 0;
  private server!: Server;
  url = '';

  static async start(): Promise<StubApi> {
    const stub = new StubApi();
    stub.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
        const [status, payload] = stub.handle(request.method ?? 'GET', request.url ?? '/', body);
        const retryAfter = status >= 400 ? stub.refuseWith?.retryAfter : undefined;
        response.writeHead(status, {
          'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json',
          ...(retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {}),
        });
        response.end(JSON.stringify(payload));
      });
    });
    await new Promise<void>((resolve) => stub.server.listen(0, '127.0.0.1', resolve));
    stub.url = `http://127.0.0.1:${(stub.server.address() as AddressInfo).port}`;
    return stub;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  setStatus(jobId: string, patch: Partial<InternalJobView>): void {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    this.jobs.set(jobId, { ...job, ...patch });
  }

  private problem(status: number, code: string, detail: string, limit?: LimitRefusal): [number, unknown] {
    return [
      status,
      { type: 'about:blank', title: code, status, detail, code, errors: [], ...(limit && { limit }) },
    ];
  }

  private handle(method: string, url: string, body: unknown): [number, unknown] {
    this.calls.push(`${method} ${url}`);
    if (this.down) return this.problem(this.down, 'SERVICE_UNAVAILABLE', 'down for the test');
    if (method === 'GET' && url === '/internal/v1/queues/stats') {
      return [200, { models: [...this.backlog].map(([model, counts]) => ({ model, ...counts })) }];
    }
    const personal = /^\/internal\/v1\/users\/([^/]+)\/personal-team$/.exec(url);
    if (method === 'GET' && personal) {
      const userId = decodeURIComponent(personal[1]);
      if (!this.users.has(userId)) return this.problem(404, 'NOT_FOUND', `No account for user ${userId}.`);
      return [200, { teamId: STUB_PERSONAL_TEAM, name: 'Personal' }];
    }
    if (method === 'POST' && url === '/internal/v1/jobs') {
      const request = body as InternalCreateJobRequest & { spec: Record<string, unknown> };
      this.submissions.push(request);
      const existing = this.byUid.get(request.uid);
      if (existing) return [200, this.jobs.get(existing)];
      // As the API's schema: exactly one of teamId (with namespace) and userId.
      if ((request.teamId === undefined) === (request.userId === undefined))
        return this.problem(400, 'VALIDATION_FAILED', 'give exactly one of teamId and userId');
      if (request.teamId !== undefined && !request.namespace)
        return this.problem(400, 'VALIDATION_FAILED', 'namespace is required with teamId');
      if (request.teamId !== undefined && !this.teams.has(request.teamId))
        return this.problem(404, 'NOT_FOUND', `Team ${request.teamId} does not exist.`);
      if (request.userId !== undefined && !this.users.has(request.userId))
        return this.problem(404, 'NOT_FOUND', `No account for user ${request.userId}.`);
      if (this.refuseWith) {
        const { status, code, detail, limit } = this.refuseWith;
        return this.problem(status, code, detail, limit);
      }
      const id = randomUUID();
      const job: InternalJobView = {
        id,
        status: 'queued',
        prompt: String(request.spec.prompt),
        negativePrompt: null,
        imageUploadId: null,
        imageSha256: null,
        resolution: '704x1280',
        durationSeconds: 1,
        fps: 24,
        seed: 7,
        steps: 4,
        guidanceScale: 5,
        model: String(request.spec.model ?? 'wan2.2-ti2v-5b'),
        preset: null,
        priority: 50,
        creditsReserved: 10,
        creditsCharged: null,
        progress: 0,
        stage: null,
        failureReason: null,
        gpuSeconds: null,
        videoUrl: null,
        thumbnailUrl: null,
        videoKey: null,
        thumbnailKey: null,
        outputExpiresAt: null,
        contentCredentials: null,
        createdAt: new Date().toISOString(),
        startedAt: null,
        finishedAt: null,
        queuePosition: 0,
      };
      this.jobs.set(id, job);
      this.byUid.set(request.uid, id);
      return [202, job];
    }
    const match = /^\/internal\/v1\/jobs\/([^/]+)(\/cancel)?$/.exec(url);
    const job = match ? this.jobs.get(match[1]) : undefined;
    if (!match || !job) return this.problem(404, 'NOT_FOUND', `No route or job for ${method} ${url}.`);
    if (match[2] && method === 'POST') {
      this.cancels.push(job.id);
      if (job.status === 'queued' || job.status === 'running') {
        this.jobs.set(job.id, {
          ...job,
          status: 'cancelled',
          failureReason: 'Cancelled.',
          finishedAt: new Date().toISOString(),
        });
      }
      return [200, this.jobs.get(job.id)];
    }
    if (this.linkLifetimeMs !== undefined && job.status === 'succeeded' && job.videoKey && job.thumbnailKey) {
      const signature = ++this.signatures;
      const link = (key: string) => `http://s3.test/cineweave/${key}?X-Amz-Signature=${signature}`;
      const expiresAt = new Date(Date.now() + this.linkLifetimeMs).toISOString();
      return [
        200,
        { ...job, downloads: { video: link(job.videoKey), thumbnail: link(job.thumbnailKey), expiresAt } },
      ];
    }
    return [200, job];
  }
}
