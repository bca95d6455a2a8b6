import { Injectable, inject } from '@angular/core';
import { type JobEvent, JobEventSchema } from '@cineweave/contracts';
import type { EventSourceMessage } from 'eventsource-parser';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { Observable } from 'rxjs';
import { ApiClient, FETCH } from '../api/api-client';
import { ApiError } from '../api/api-error';

export type { JobEvent } from '@cineweave/contracts';

/** Reconnection delays; the stream resumes with Last-Event-ID and the API replays the current state. */
export const RECONNECT_DELAYS_MS = [1_000, 2_000, 5_000, 10_000];

/** Job events are a few hundred bytes: a line longer than this is a broken stream, not an event. */
const MAX_EVENT_CHARS = 1_000_000;

/** What survives a dropped connection: where to resume and how long the server asked us to wait. */
interface Resume {
  lastEventId: string | null;
  retryMs: number | null;
}

/**
 * Live events of one job (`GET /v1/jobs/:id/events`). EventSource cannot send an Authorization
 * header, so the stream is read with fetch and parsed by eventsource-parser; reconnecting (with
 * `Last-Event-ID` and the server's `retry:`) is done here, as EventSource would.
 * The observable completes after `completed` or `failed`, and reconnects on a dropped connection.
 */
@Injectable({ providedIn: 'root' })
export class JobEventStream {
  private readonly fetchFn = inject(FETCH);
  private readonly client = inject(ApiClient);

  watch(jobId: string): Observable<JobEvent> {
    return new Observable<JobEvent>((subscriber) => {
      const abort = new AbortController();
      const resume: Resume = { lastEventId: null, retryMs: null };

      const run = async () => {
        for (let attempt = 0; !abort.signal.aborted; attempt++) {
          try {
            const finished = await this.read(jobId, resume, abort.signal, (event) => {
              attempt = 0;
              subscriber.next(event);
            });
            if (finished) {
              subscriber.complete();
              return;
            }
          } catch (error) {
            if (abort.signal.aborted) return;
            // A 4xx will not get better by retrying (the job is gone or not ours).
            if (
              error instanceof ApiError &&
              error.status >= 400 &&
              error.status < 500 &&
              error.status !== 429
            ) {
              subscriber.error(error);
              return;
            }
          }
          const delay =
            resume.retryMs ?? RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
          await sleep(delay, abort.signal);
        }
      };

      void run();
      return () => abort.abort();
    });
  }

  /** Reads one connection, keeping `resume` up to date; true when the job reached its end. */
  private async read(
    jobId: string,
    resume: Resume,
    signal: AbortSignal,
    emit: (event: JobEvent) => void,
  ): Promise<boolean> {
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      ...(await this.client.authHeaders()),
    };
    if (resume.lastEventId) headers['last-event-id'] = resume.lastEventId;
    const response = await this.fetchFn(this.client.url(`/v1/jobs/${encodeURIComponent(jobId)}/events`), {
      headers,
      signal,
      cache: 'no-store',
    });
    if (!response.ok) throw await ApiError.fromResponse(response);
    if (!response.body) throw new Error('The event stream has no body.');

    const reader = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(
        new EventSourceParserStream({
          // An empty id resets the last event id, as the EventSource spec says.
          onId: (id) => (resume.lastEventId = id || null),
          onRetry: (ms) => (resume.retryMs = ms),
          maxBufferSize: MAX_EVENT_CHARS,
        }),
      )
      .getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return false;
        const event = toJobEvent(value);
        if (!event) continue;
        emit(event);
        if (event.type === 'completed' || event.type === 'failed') return true;
      }
    } finally {
      reader.releaseLock();
    }
  }
}

/** A known event with a payload matching its contract, or null (unknown events are skipped). */
export function toJobEvent(raw: EventSourceMessage): JobEvent | null {
  if (!raw.event) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw.data);
  } catch {
    return null;
  }
  const parsed = JobEventSchema.safeParse({ type: raw.event, data: json });
  return parsed.success ? parsed.data : null;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
