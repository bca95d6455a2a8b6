import { TestBed } from '@angular/core/testing';
import { firstValueFrom, toArray } from 'rxjs';
import { FETCH } from '../api/api-client';
import { RUNTIME_CONFIG } from '../config/runtime-config';
import { JobEventStream, toJobEvent } from './job-event-stream';

const JOB = '6f1c1f9e-8f0a-4b8e-9d55-0a4a7c2b9e11';

function streamOf(...chunks: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

function setup(fetchFn: typeof fetch) {
  TestBed.configureTestingModule({
    providers: [
      { provide: FETCH, useValue: fetchFn },
      { provide: RUNTIME_CONFIG, useValue: { apiBaseUrl: 'http://api.test' } },
    ],
  });
  return TestBed.inject(JobEventStream);
}

const RUNNING_WITH_ID_4 = `id: 4\nretry: 5\nevent: status\ndata: {"jobId":"${JOB}","status":"running","queuePosition":null}\n\n`;

/** A first connection that drops after `firstChunks`, then a second one that ends with `failed`. */
async function watchAcrossOneDrop(...firstChunks: string[]) {
  vi.useFakeTimers();
  try {
    const fetchFn = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(streamOf(...firstChunks))
      .mockResolvedValueOnce(
        streamOf(
          `event: failed\ndata: {"jobId":"${JOB}","status":"failed","reason":"GPU out of memory","creditsReleased":50}\n\n`,
        ),
      );
    const done = firstValueFrom(setup(fetchFn).watch(JOB).pipe(toArray()));
    await vi.advanceTimersByTimeAsync(10);
    const events = await done;
    return { events, resumedWith: fetchFn.mock.calls[1][1]?.headers as Record<string, string>, fetchFn };
  } finally {
    vi.useRealTimers();
  }
}

describe(JobEventStream.name, () => {
  it('should emit status, progress and completed then finish when the job succeeds', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () =>
      streamOf(
        `event: status\ndata: {"jobId":"${JOB}","status":"queued","queuePosition":2}\n\n`,
        `event: progress\ndata: {"jobId":"${JOB}","step":3,"totalSteps":50,"percent":6,"etaSeconds":40,"queuePosition":null}\n\n`,
        `event: completed\ndata: {"jobId":"${JOB}","status":"succeeded","creditsCharged":50,"videoUrl":"https://s3/v.mp4","thumbnailUrl":"https://s3/t.jpg"}\n\n`,
      ),
    );
    const stream = setup(fetchFn);

    const events = await firstValueFrom(stream.watch(JOB).pipe(toArray()));

    expect(events.map((event) => event.type)).toEqual(['status', 'progress', 'completed']);
    expect(fetchFn).toHaveBeenCalledTimes(1);
    expect(fetchFn.mock.calls[0][0]).toBe(`http://api.test/v1/jobs/${JOB}/events`);
  });

  it('should reconnect with Last-Event-ID when the connection drops before the end', async () => {
    const { events, resumedWith } = await watchAcrossOneDrop(RUNNING_WITH_ID_4);

    expect(events.map((event) => event.type)).toEqual(['status', 'failed']);
    expect(resumedWith['last-event-id']).toBe('4');
  });

  it('should error without retrying when the API answers 404', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () =>
      Response.json(
        { status: 404, title: 'Not found', detail: 'No such job', code: 'NOT_FOUND' },
        { status: 404 },
      ),
    );
    const stream = setup(fetchFn);

    await expect(firstValueFrom(stream.watch(JOB))).rejects.toMatchObject({
      status: 404,
      detail: 'No such job',
    });
    expect(fetchFn).toHaveBeenCalledTimes(1);
  });

  it('should assemble events and skip heartbeats when chunks split lines anywhere', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () =>
      streamOf(
        ': heartbeat\r\n\r\nid: 7\r\neve',
        'nt: status\r',
        `\ndata: {"jobId":"${JOB}","status":"running",`,
        '"queuePosition":null}\r\n\r\n: ping\n\n',
        `event: completed\ndata: {"jobId":"${JOB}","status":"succeeded","creditsCharged":5,`,
        '"videoUrl":"https://s3/v.mp4","thumbnailUrl":"https://s3/t.jpg"}\n\n',
      ),
    );
    const stream = setup(fetchFn);

    const events = await firstValueFrom(stream.watch(JOB).pipe(toArray()));

    expect(events).toEqual([
      { type: 'status', data: { jobId: JOB, status: 'running', queuePosition: null } },
      expect.objectContaining({ type: 'completed' }),
    ]);
  });

  it('should resume without Last-Event-ID when the server cleared the id', async () => {
    const { fetchFn, resumedWith } = await watchAcrossOneDrop(RUNNING_WITH_ID_4, 'id\n\n');

    expect(fetchFn).toHaveBeenCalledTimes(2);
    expect(resumedWith).not.toHaveProperty('last-event-id');
  });

  it('should skip an event when its payload breaks the contract', () => {
    expect(toJobEvent({ event: 'progress', data: '{"jobId":"x","step":-1}' })).toBeNull();
    expect(toJobEvent({ event: 'unknown', data: '{}' })).toBeNull();
    expect(toJobEvent({ event: 'toString', data: '{}' })).toBeNull();
    expect(toJobEvent({ data: '{}' })).toBeNull();
    expect(toJobEvent({ event: 'status', data: 'not json' })).toBeNull();
  });
});
