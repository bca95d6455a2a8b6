import { Injectable, Logger } from '@nestjs/common';
import {
  type JobEvent,
  isFinalJobEvent,
  jobEndEvent,
  jobProgressEvent,
  jobStatusEvent,
} from '@cineweave/contracts';
import type { Request, Response } from 'express';
import { JobsService, type JobScope } from '../jobs.service.ts';
import { QueueStandings } from '../dispatch/queue-standing.service.ts';
import { JobEventsService } from '../../events/job-events.service.ts';

const KEEPALIVE_MS = 15_000;
/** How often a queued job's stream looks whether its place in the queue moved. */
export const QUEUE_POSITION_POLL_MS = 2_000;

/**
 * `GET /v1/jobs/:id/events` as Server-Sent Events. It subscribes before reading the job, so
 * nothing said in between is lost, then sends the current state first (a late subscriber sees
 * where the job is) and follows live events until the job finishes or the client leaves.
 */
@Injectable()
export class JobStreamService {
  private readonly logger = new Logger(JobStreamService.name);

  constructor(
    private readonly jobs: JobsService,
    private readonly events: JobEventsService,
    private readonly standings: QueueStandings,
  ) {}

  async stream(jobId: string, scope: JobScope, request: Request, response: Response): Promise<void> {
    // Clean-up is registered before the first await: a client that hangs up while the stream is
    // being set up must not leave a subscription or a poller behind (each poller reads Postgres
    // every QUEUE_POSITION_POLL_MS until the job leaves the queue).
    const cleanups: (() => void)[] = [];
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      for (const cleanup of cleanups.splice(0)) cleanup();
      if (!response.writableEnded) response.end();
    };
    // The response closes when the connection does (the request may close as soon as its empty
    // body is read, so it says nothing about the client).
    const gone = () => response.destroyed || Boolean(request.socket?.destroyed);
    response.on('close', close);

    const buffered: JobEvent[] = [];
    let live: ((event: JobEvent) => void) | null = null;
    cleanups.push(this.events.subscribe(jobId, (event) => (live ? live(event) : buffered.push(event))));
    let job;
    try {
      job = await this.jobs.get(jobId, scope);
    } catch (error) {
      // The problem answer still goes out (unless the client left): only the stream's parts end.
      closed = true;
      for (const cleanup of cleanups.splice(0)) cleanup();
      throw error;
    }
    if (closed || gone()) return close();

    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('Connection', 'keep-alive');
    // Proxies such as nginx would otherwise hold events back in a buffer.
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();

    let status = job.status;
    let standing = await this.standings.of(job);
    if (closed || gone()) return close();
    const keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS);
    // Jobs ahead starting or being cancelled say nothing on this job's channel: while it waits,
    // look now and then whether its place moved, so "n in line" counts down.
    const positionWatch = setInterval(() => {
      if (closed || status !== 'queued') return;
      void this.standings
        .of(job)
        .then((next) => {
          if (closed || status !== 'queued' || !next) return;
          if (
            next.position === standing?.position &&
            next.teamsAhead === standing.teamsAhead &&
            next.reason === standing.reason
          ) {
            return;
          }
          standing = next;
          send(jobStatusEvent(jobId, 'queued', next));
        })
        .catch((error: Error) =>
          this.logger.warn({ jobId, error: error.message }, 'Could not read a queue position'),
        );
    }, QUEUE_POSITION_POLL_MS);
    cleanups.push(
      () => clearInterval(keepalive),
      () => clearInterval(positionWatch),
    );

    const send = (event: JobEvent) => {
      if (closed) return;
      if (event.type === 'status') status = event.data.status;
      response.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
      if (isFinalJobEvent(event)) close();
    };

    send(jobStatusEvent(jobId, job.status, standing));
    if (job.status === 'running') {
      const progress = await this.jobs.currentProgress(job);
      if (progress) send(jobProgressEvent(jobId, progress));
    } else if (job.status !== 'queued') {
      send(jobEndEvent(this.jobs.view(job)));
    }
    live = send;
    for (const event of buffered.splice(0)) send(event);
    this.logger.debug({ jobId }, 'Opened job event stream');
  }
}
