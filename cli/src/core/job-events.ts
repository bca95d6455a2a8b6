import {
  JobCompletedEventSchema,
  JobFailedEventSchema,
  JobProgressEventSchema,
  JobStatusEventSchema,
  type JobCompletedEvent,
  type JobFailedEvent,
  type JobProgressEvent,
  type JobStatusEvent,
} from '@cineweave/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventSourceMessage } from 'eventsource-parser';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { ApiClient } from './api-client.ts';
import { CliError, unreachable } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

/** An event of `GET /v1/jobs/:id/events`, checked against its contract. */
export type JobEvent =
  | { type: 'status'; data: JobStatusEvent }
  | { type: 'progress'; data: JobProgressEvent }
  | { type: 'completed'; data: JobCompletedEvent }
  | { type: 'failed'; data: JobFailedEvent };
export type FinalJobEvent = Extract<JobEvent, { type: 'completed' | 'failed' }>;

const SCHEMAS = {
  status: JobStatusEventSchema,
  progress: JobProgressEventSchema,
  completed: JobCompletedEventSchema,
  failed: JobFailedEventSchema,
} as const;

/** A known event whose payload matches its contract, or null (unknown events are skipped). */
export function toJobEvent(raw: EventSourceMessage): JobEvent | null {
  if (!raw.event || !Object.hasOwn(SCHEMAS, raw.event)) return null;
  const type = raw.event as keyof typeof SCHEMAS;
  let json: unknown;
  try {
    json = JSON.parse(raw.data);
  } catch {
    return null;
  }
  const parsed = SCHEMAS[type].safeParse(json);
  return parsed.success ? ({ type, data: parsed.data } as JobEvent) : null;
}

export interface FollowOptions {
  /** Waits before each reconnection, the last one repeated; a `retry:` from the server wins. */
  reconnectDelaysMs?: readonly number[];
  /** The API sends a comment every 15 s: a connection silent for this long is presumed dead. */
  idleTimeoutMs?: number;
  /** How long the API may stay unreachable before waiting is given up (exit code 6). */
  giveUpAfterMs?: number;
  /** Told before each reconnection, so the person watching knows why nothing moves. */
  onReconnect?: (reason: string, delayMs: number) => void;
}

const DEFAULTS = {
  reconnectDelaysMs: [1_000, 2_000, 5_000, 10_000],
  idleTimeoutMs: 45_000,
  giveUpAfterMs: 5 * 60_000,
} as const;

/** Job events are a few hundred bytes: a line longer than this is a broken stream, not an event. */
const MAX_EVENT_CHARS = 1_000_000;

/**
 * Follows a job's events until it completes or fails, reconnecting after a dropped connection,
 * an API restart or a silent network, with `Last-Event-ID` when the stream gave ids (the API
 * also replays the job's current state on every connection, so nothing that matters is missed).
 * Answers that will not get better by asking again (404, 401...) end it at once.
 */
export async function followJob(
  client: ApiClient,
  jobId: string,
  onEvent: (event: JobEvent) => void,
  options: FollowOptions = {},
): Promise<FinalJobEvent> {
  const { reconnectDelaysMs, idleTimeoutMs, giveUpAfterMs } = { ...DEFAULTS, ...options };
  const resume = { lastEventId: null as string | null, retryMs: null as number | null };
  let failures = 0;
  let failingSince: number | null = null;
  for (;;) {
    let reason: string;
    try {
      const final = await readConnection(client, jobId, resume, idleTimeoutMs, (event) => {
        failures = 0;
        failingSince = null;
        onEvent(event);
      });
      if (final) return final;
      reason = 'the API closed the event stream';
    } catch (error) {
      if (client.interrupt.aborted) throw client.interrupt.reason;
      if (!isTransient(error)) throw error;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > giveUpAfterMs) {
        throw error instanceof CliError
          ? error
          : unreachable(client.url(`/v1/jobs/${jobId}/events`).href, error);
      }
      reason = error instanceof CliError ? error.detail : (error as Error).message;
    }
    const delay = resume.retryMs ?? reconnectDelaysMs[Math.min(failures, reconnectDelaysMs.length - 1)];
    failures++;
    options.onReconnect?.(reason, delay);
    try {
      await sleep(delay, undefined, { signal: client.interrupt });
    } catch {
      throw client.interrupt.reason;
    }
  }
}

/**
 * Network trouble, a silent connection, the API restarting or overloaded: worth another
 * connection. (Errors that are not CliErrors come from reading the body: a reset, the watchdog.)
 */
function isTransient(error: unknown): boolean {
  if (!(error instanceof CliError)) return true;
  if (error.exitCode === ExitCode.Unavailable) return true;
  const status = error.extra.problem?.status;
  return status === 429 || (status !== undefined && status >= 500);
}

class IdleError extends Error {
  constructor(seconds: number) {
    super(`no data for ${seconds} s`);
  }
}

/** Reads one connection; the final event when the job ended, null when the stream ended first. */
async function readConnection(
  client: ApiClient,
  jobId: string,
  resume: { lastEventId: string | null; retryMs: number | null },
  idleTimeoutMs: number,
  emit: (event: JobEvent) => void,
): Promise<FinalJobEvent | null> {
  const connection = new AbortController();
  let watchdog: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => connection.abort(new IdleError(idleTimeoutMs / 1000)), idleTimeoutMs);
  };
  touch();
  try {
    const response = await client.call('GET', `/v1/jobs/${encodeURIComponent(jobId)}/events`, {
      headers: {
        accept: 'text/event-stream',
        ...(resume.lastEventId ? { 'last-event-id': resume.lastEventId } : {}),
      },
      timeoutMs: null,
      signal: connection.signal,
    });
    if (!response.body) return null;
    const reader = response.body
      .pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform: (chunk, out) => (touch(), out.enqueue(chunk)),
        }),
      )
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(
        new EventSourceParserStream({
          // An empty id resets the last event id, as the EventSource specification says.
          onId: (id) => (resume.lastEventId = id || null),
          onRetry: (ms) => (resume.retryMs = ms),
          maxBufferSize: MAX_EVENT_CHARS,
        }),
      )
      .getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return null;
        const event = toJobEvent(value);
        if (!event) continue;
        emit(event);
        if (event.type === 'completed' || event.type === 'failed') return event;
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
  } catch (error) {
    // The watchdog's abort surfaces as the reason it was given, or as a bare AbortError.
    if (connection.signal.aborted && connection.signal.reason instanceof IdleError)
      throw connection.signal.reason;
    throw error;
  } finally {
    clearTimeout(watchdog);
    connection.abort();
  }
}
