// Two workers serving two models side by side (the tiny model under two MODEL_IDs), with jobs of
// both: each job is rendered by its model's worker, and a job for a model nobody serves waits.
import { join } from 'node:path';
import { buildTinyModel } from '@cineweave/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices, startStack, USER as user, type Stack } from './support/e2e-stack.ts';
import { collectEvents, type SseEvent } from './support/sse.ts';

let stack: Stack;
let modelDir = '';

const MODEL_A = 'wan2.2-ti2v-5b';
const MODEL_B = 'wan2.2-tiny-test';
/** In the catalog, served by neither worker here (its own 3 steps and guidance 1 apply). */
const UNSERVED = 'fastwan2.2-ti2v-5b';
const DRAFT = { resolution: '352x640', durationSeconds: 1, fps: 8, steps: 2 };

const untilFinished = (event: SseEvent) => event.event === 'completed' || event.event === 'failed';

beforeAll(async () => {
  buildServices();
  stack = await startStack('two-models');
  modelDir = join(stack.work, 'model');
  buildTinyModel(modelDir);
}, 300_000);

afterAll(() => stack?.stop(), 60_000);

describe('two models served side by side', () => {
  it('should render each job on its own model’s worker and leave a job of an unserved model queued', async () => {
    const workers = await Promise.all([
      stack.startReadyWorker({
        MODEL_DIR: modelDir,
        DEVICE: 'cpu',
        MODEL_ID: MODEL_A,
        WORKER_ID: 'worker-a',
      }),
      stack.startReadyWorker({
        MODEL_DIR: modelDir,
        DEVICE: 'cpu',
        MODEL_ID: MODEL_B,
        WORKER_ID: 'worker-b',
      }),
    ]);
    const jobs = [
      { model: MODEL_A, id: await stack.createJob({ ...DRAFT, prompt: 'a lantern', model: MODEL_A }) },
      { model: MODEL_B, id: await stack.createJob({ ...DRAFT, prompt: 'a heron', model: MODEL_B }) },
      { model: MODEL_B, id: await stack.createJob({ ...DRAFT, prompt: 'a tram', model: MODEL_B }) },
      { model: MODEL_A, id: await stack.createJob({ ...DRAFT, prompt: 'a bell', model: MODEL_A }) },
    ];
    const unserved = await stack.createJob({
      resolution: DRAFT.resolution,
      durationSeconds: DRAFT.durationSeconds,
      fps: DRAFT.fps,
      prompt: 'a comet',
      model: UNSERVED,
    });

    for (const job of jobs) {
      const events = await collectEvents(
        `${stack.baseUrl}/v1/jobs/${job.id}/events`,
        user,
        untilFinished,
        180_000,
      );
      expect(events.at(-1)?.event, JSON.stringify(events.at(-1))).toBe('completed');
      expect(await stack.workerIdOf(job.id)).toBe(job.model === MODEL_A ? 'worker-a' : 'worker-b');
      const { json } = await stack.call('GET', `/v1/jobs/${job.id}`);
      expect(json).toMatchObject({ status: 'succeeded', model: job.model });
    }
    // Each worker's log names only its own model's jobs.
    const started = (index: number) =>
      jobs.filter((job) => workers[index].output().includes(job.id)).map((job) => job.model);
    expect(started(0)).toEqual([MODEL_A, MODEL_A]);
    expect(started(1)).toEqual([MODEL_B, MODEL_B]);

    // Both workers are idle now, and neither took the job of the model no worker serves.
    const { json: waiting } = await stack.call('GET', `/v1/jobs/${unserved}`);
    expect(waiting).toMatchObject({ status: 'queued', model: UNSERVED });
    expect(workers.some((worker) => worker.output().includes(unserved))).toBe(false);
    expect(await stack.workerIdOf(unserved)).toBeNull();
    const { status } = await stack.call('POST', `/v1/jobs/${unserved}/cancel`);
    expect(status).toBe(200);
    await Promise.all(workers.map((worker) => worker.stop()));
  }, 400_000);
});
