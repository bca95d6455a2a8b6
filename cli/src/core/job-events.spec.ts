// followJob against a stand-in event stream over real HTTP: the API's stream does not send ids
// today, so Last-Event-ID is shown with a server that does, as the EventSource spec describes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from './api-client.ts';
import { CliError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import { followJob, type JobEvent } from './job-events.ts';

const jobId = '5b3c1a3e-2b6e-4f4e-8a0e-1f2d3c4b5a69';
const fast = { reconnectDelaysMs: [20], idleTimeoutMs: 400, giveUpAfterMs: 2_000 };
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function standIn(
  handler: (request: IncomingMessage, response: ServerResponse, attempt: number) => void,
) {
  let attempt = 0;
  const listening = createServer((request, response) => handler(request, response, attempt++));
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  return new ApiClient(
    { apiUrl, apiKey: 'cw_test', keySource: 'config', configFile: '/dev/null' },
    new AbortController().signal,
  );
}

function sse(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.flushHeaders();
}

describe(followJob.name, () => {
  it('should reconnect after a dropped connection and resume from the last event id', async () => {
    const lastEventIds: (string | undefined)[] = [];
    const authorizations = new Set<string | undefined>();
    const client = await standIn((request, response, attempt) => {
      lastEventIds.push(request.headers['last-event-id'] as string | undefined);
      authorizations.add(request.headers.authorization);
      sse(response);
      if (attempt === 0) {
        response.write(
          `id: 7\nevent: status\ndata: ${JSON.stringify({ jobId, status: 'running', queuePosition: null })}\n\n`,
        );
        setTimeout(() => response.socket?.destroy(), 50);
      } else {
        response.end(
          `id: 8\nevent: completed\ndata: ${JSON.stringify({ jobId, status: 'succeeded', creditsCharged: 3, videoUrl: '/v', thumbnailUrl: '/t' })}\n\n`,
        );
      }
    });
    const events: JobEvent[] = [];
    const reconnects: string[] = [];
    const final = await followJob(client, jobId, (event) => events.push(event), {
      ...fast,
      onReconnect: (reason) => reconnects.push(reason),
    });
    expect(final.type).toBe('completed');
    expect(events.map((event) => event.type)).toEqual(['status', 'completed']);
    expect(lastEventIds).toEqual([undefined, '7']);
    expect([...authorizations]).toEqual(['Bearer cw_test']);
    expect(reconnects).toHaveLength(1);
  });

  it('should presume a silent connection dead and open another', async () => {
    const client = await standIn((_request, response, attempt) => {
      sse(response);
      if (attempt > 0) {
        response.end(
          `event: failed\ndata: ${JSON.stringify({ jobId, status: 'cancelled', reason: 'Cancelled by the user', creditsReleased: 3 })}\n\n`,
        );
      }
      // The first connection says nothing, not even a keepalive comment.
    });
    const final = await followJob(client, jobId, () => undefined, fast);
    expect(final).toMatchObject({ type: 'failed', data: { status: 'cancelled' } });
  });

  it('should stop at once on an answer that retrying will not change', async () => {
    let requests = 0;
    const client = await standIn((_request, response) => {
      requests++;
      response.writeHead(404, { 'content-type': 'application/problem+json' });
      response.end(
        JSON.stringify({
          type: 'https://cineweave.io/problems/not-found',
          title: 'Not found',
          status: 404,
          detail: `Job ${jobId} was not found.`,
          code: 'NOT_FOUND',
          errors: [],
        }),
      );
    });
    const error = await followJob(client, jobId, () => undefined, fast).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.NotFound);
    expect(requests).toBe(1);
  });

  it('should give up with exit code 6 when the API stays unreachable', async () => {
    const client = await standIn((request) => request.socket.destroy());
    const error = await followJob(client, jobId, () => undefined, { ...fast, giveUpAfterMs: 200 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.Unavailable);
  });
});
