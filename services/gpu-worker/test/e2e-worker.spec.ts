// The worker end to end: the built API and the built worker as real processes, real Postgres,
// Redis and an S3-protocol server, and the tiny model on CPU. A job goes in through the public
// API and comes out as a playable MP4, with progress over SSE and credits captured.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { buildTinyModel } from '@cineweave/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModerationStandIn, type ServiceProcess } from '@cineweave/test-support';
import { readCredentials, summarize } from '../src/content-credentials/read-credentials.ts';
import { TEST_SIGNER_NAME } from '../src/content-credentials/test-chain.ts';
import { probeVideo } from '../src/video/ffprobe.ts';
import { buildServices, startStack, USER as user, type Stack } from './support/e2e-stack.ts';
import { collectEvents, type SseEvent } from './support/sse.ts';

let stack: Stack;
let baseUrl = '';
let modelDir = '';

const call: Stack['call'] = (...args) => stack.call(...args);
const credits = () => stack.credits();
const ledgerKindsFor = (jobId: string) => stack.ledgerKindsFor(jobId);
const createJob = (body: Record<string, unknown>) => stack.createJob(body);
const downloadVideo = (jobId: string) => stack.downloadVideo(jobId);
const onnxWorker = (env: Record<string, string> = {}) => ({ MODEL_DIR: modelDir, DEVICE: 'cpu', ...env });
const startWorker = (env: Record<string, string> = {}) => stack.startWorker(onnxWorker(env));
const startReadyWorker = (env: Record<string, string> = {}) => stack.startReadyWorker(onnxWorker(env));

/** The second worker started the job exactly once, and the job was charged exactly once. */
async function expectTakenOverAndChargedOnce(
  second: ServiceProcess,
  jobId: string,
  before: { balance: number; reserved: number },
): Promise<void> {
  const starts = second
    .output()
    .split('\n')
    .filter((line) => line.includes(jobId) && line.includes('Started job'));
  expect(starts).toHaveLength(1);
  expect(await ledgerKindsFor(jobId)).toEqual(['capture', 'reserve']);
  const after = await credits();
  expect(after.balance).toBe(before.balance - 3);
  expect(after.reserved).toBe(before.reserved);
}

function untilFinished(event: SseEvent): boolean {
  return event.event === 'completed' || event.event === 'failed';
}

beforeAll(async () => {
  buildServices();
  stack = await startStack('worker-e2e');
  baseUrl = stack.baseUrl;
  modelDir = join(stack.work, 'model');
  buildTinyModel(modelDir);
}, 300_000);

afterAll(() => stack?.stop(), 60_000);

describe('GPU worker end to end (tiny model, CPU)', () => {
  it('should turn a text-to-video job into a playable MP4, with progress over SSE and credits captured', async () => {
    const worker = await startReadyWorker();
    const before = await credits();
    const jobId = await createJob({
      prompt: 'a red fox in the snow',
      resolution: '352x640',
      durationSeconds: 1,
      fps: 8,
      steps: 4,
    });
    const events = await collectEvents(`${baseUrl}/v1/jobs/${jobId}/events`, user, untilFinished, 120_000);

    const names = events.map((event) => event.event);
    expect(names).toContain('status');
    expect(names.at(-1)).toBe('completed');
    const progress = events.filter((event) => event.event === 'progress').map((event) => event.data);
    expect(progress.map((update) => update.step)).toContain(4);
    // Stage-aware: the last step is not the end; decode, encode and upload follow it.
    expect(progress.some((update) => update.step === 4 && Number(update.percent) < 100)).toBe(true);
    // Each report names its stage, in the order the worker goes through them.
    const stages = progress.map((update) => update.stage).filter((stage, i, all) => stage !== all[i - 1]);
    expect(stages).toEqual(['denoise', 'decode', 'encode', 'sign', 'upload']);

    const after = await credits();
    expect(after.reserved).toBe(before.reserved);
    expect(after.balance).toBe(before.balance - 3);
    expect(await ledgerKindsFor(jobId)).toEqual(['capture', 'reserve']);

    const videoPath = await downloadVideo(jobId);
    // The video as a client downloads it carries a valid C2PA manifest naming the model and the job
    // (the worker made a test chain at start: its signer is untrusted, nothing else fails).
    const report = await readCredentials(readFileSync(videoPath), 'video/mp4');
    const credentials = summarize(report);
    expect(credentials).toMatchObject({
      signer: TEST_SIGNER_NAME,
      modelId: 'wan2.2-ti2v-5b',
      weightsHash: expect.stringMatching(/.+/),
      jobId,
      validation: 'valid',
      validationFailures: ['signingCredential.untrusted'],
    });
    // GET /v1/jobs/:id carries the summary the worker read back before upload.
    const { json: view } = await call('GET', `/v1/jobs/${jobId}`);
    expect(view['contentCredentials']).toEqual(credentials);
    // The reader's summary for the closing note of issue 21.
    process.stdout.write(`C2PA summary of job ${jobId}: ${JSON.stringify(credentials, null, 2)}\n`);
    process.stdout.write(`C2PA validation: ${JSON.stringify(report.validation_results, null, 2)}\n`);

    const probe = await probeVideo(videoPath);
    expect(probe).toMatchObject({
      codec: 'h264',
      pixelFormat: 'yuv420p',
      width: 352,
      height: 640,
      frames: 9,
      fastStart: true,
    });
    expect(probe.durationSeconds).toBeCloseTo(9 / 8, 1);
    const thumbnail = await fetch(`${baseUrl}/v1/jobs/${jobId}/thumbnail`, {
      headers: { Authorization: user },
    });
    expect(thumbnail.status).toBe(200);
    const webp = new Uint8Array(await thumbnail.arrayBuffer());
    expect((await sharp(webp).metadata()).width).toBe(480);
    expect(summarize(await readCredentials(webp, 'image/webp'))).toMatchObject({
      jobId,
      validation: 'valid',
    });
    await worker.stop();
  }, 180_000);

  it('should turn an image-to-video job into a video of the image size rule', async () => {
    const worker = await startReadyWorker();
    const png = await sharp({
      create: { width: 500, height: 300, channels: 3, background: { r: 200, g: 40, b: 90 } },
    })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'input.png');
    const upload = await fetch(`${baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: { Authorization: user },
      body: form,
    });
    expect(upload.status).toBe(201);
    const { id: imageUploadId } = (await upload.json()) as { id: string };

    const jobId = await createJob({
      prompt: 'the colour field ripples',
      imageUploadId,
      resolution: '640x352',
      durationSeconds: 1,
      fps: 8,
      steps: 3,
    });
    const events = await collectEvents(`${baseUrl}/v1/jobs/${jobId}/events`, user, untilFinished, 120_000);
    expect(events.at(-1)?.event).toBe('completed');

    const videoPath = await downloadVideo(jobId);
    const report = await readCredentials(readFileSync(videoPath), 'video/mp4');
    expect(report.manifests[report.active_manifest ?? '']?.ingredients).toEqual([
      expect.objectContaining({ title: 'input.png', format: 'image/png', relationship: 'inputTo' }),
    ]);
    expect(summarize(report)).toMatchObject({ jobId, validation: 'valid' });
    const probe = await probeVideo(videoPath);
    expect(probe.frames).toBe(9);
    expect(probe.width % 32).toBe(0);
    expect(probe.height % 32).toBe(0);
    expect(probe.width * probe.height).toBeLessThanOrEqual(640 * 352);
    expect(probe.width / probe.height).toBeCloseTo(500 / 300, 0);
    await worker.stop();
  }, 180_000);

  it('should stop a cancelled job within one step and release its credits', async () => {
    const worker = await startReadyWorker();
    const before = await credits();
    const jobId = await createJob({
      prompt: 'a slow pan over a lighthouse',
      resolution: '352x640',
      durationSeconds: 1,
      fps: 8,
      steps: 100,
    });
    let cancelledAtStep = -1;
    const events = await collectEvents(
      `${baseUrl}/v1/jobs/${jobId}/events`,
      user,
      (event) => {
        if (event.event === 'progress' && cancelledAtStep < 0 && Number(event.data.step) >= 2) {
          cancelledAtStep = Number(event.data.step);
          void call('POST', `/v1/jobs/${jobId}/cancel`);
        }
        return untilFinished(event);
      },
      120_000,
    );
    expect(events.at(-1)).toMatchObject({ event: 'failed', data: { status: 'cancelled' } });
    const lastStep = Math.max(
      ...events.filter((event) => event.event === 'progress').map((event) => Number(event.data.step)),
    );
    expect(lastStep).toBeLessThanOrEqual(cancelledAtStep + 2);
    expect(lastStep).toBeLessThan(100);
    expect(await credits()).toEqual(
      expect.objectContaining({ balance: before.balance, reserved: before.reserved }),
    );
    expect(await ledgerKindsFor(jobId)).toEqual(['release', 'reserve']);
    await worker.stop();
  }, 180_000);

  it('should not deliver a video the output check flags, fail it with content-policy and release its credits', async () => {
    const classifier = await new ModerationStandIn().start();
    classifier.flagImages = true;
    const worker = await startReadyWorker({
      OUTPUT_MODERATION_URL: classifier.url,
      OUTPUT_MODERATION_TIMEOUT_MS: '5000',
    });
    try {
      const before = await credits();
      const jobId = await createJob({
        prompt: 'a quiet harbour at dawn',
        resolution: '352x640',
        durationSeconds: 1,
        fps: 8,
        steps: 2,
      });
      const events = await collectEvents(`${baseUrl}/v1/jobs/${jobId}/events`, user, untilFinished, 120_000);
      expect(events.at(-1)).toMatchObject({ event: 'failed', data: { status: 'failed' } });
      const job = (await call('GET', `/v1/jobs/${jobId}`)).json as { status: string };
      expect(job.status).toBe('failed');
      expect(JSON.stringify(job)).toContain('content-policy: the rendered video was flagged (sexual)');
      // Three sampled JPEG frames went to the classifier, and nothing reached the bucket.
      const parts = classifier.calls.at(-1)?.body.input as { type: string }[];
      expect(parts.map((part) => part.type)).toEqual(['image_url', 'image_url', 'image_url']);
      const stored = readdirSync(join(stack.work, 's3'), { recursive: true }).map(String);
      expect(stored.filter((path) => path.includes(jobId))).toEqual([]);
      expect(await credits()).toEqual(
        expect.objectContaining({ balance: before.balance, reserved: before.reserved }),
      );
      expect(await ledgerKindsFor(jobId)).toEqual(['release', 'reserve']);
    } finally {
      await worker.stop();
      await classifier.stop();
    }
  }, 180_000);

  it('should hand a job back on SIGTERM past the grace period, and settle it once when another worker finishes it', async () => {
    const first = await startReadyWorker({ SHUTDOWN_GRACE_SECONDS: '1' });
    const before = await credits();
    const jobId = await createJob({
      prompt: 'a train crossing a bridge',
      resolution: '352x640',
      durationSeconds: 1,
      fps: 8,
      steps: 100,
    });
    let second: ServiceProcess | undefined;
    const events = await collectEvents(
      `${baseUrl}/v1/jobs/${jobId}/events`,
      user,
      (event) => {
        if (event.event === 'progress' && !second) {
          // Kubernetes scaling the pod down mid-job: SIGTERM, then another worker is there to take over.
          first.child.kill('SIGTERM');
          second = startWorker();
        }
        return untilFinished(event);
      },
      240_000,
    );
    if (!second) throw new Error('The job never reported progress');
    expect(events.at(-1)?.event).toBe('completed');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('Handed the job back');
    await expectTakenOverAndChargedOnce(second, jobId, before);
    await second.stop();
  }, 300_000);

  it('should retry a job exactly once when its worker is killed mid-job, and settle it once', async () => {
    const first = await startReadyWorker();
    const before = await credits();
    const jobId = await createJob({
      prompt: 'waves on a beach at dusk',
      resolution: '352x640',
      durationSeconds: 1,
      fps: 8,
      steps: 40,
    });
    // The second worker starts only once the first has the job, so the first one is the one killed.
    let second: ServiceProcess | undefined;
    const events = await collectEvents(
      `${baseUrl}/v1/jobs/${jobId}/events`,
      user,
      (event) => {
        if (event.event === 'progress' && !second) second = startWorker();
        if (event.event === 'progress' && Number(event.data.step) >= 2 && first.child.exitCode === null) {
          first.child.kill('SIGKILL');
        }
        return untilFinished(event);
      },
      180_000,
    );
    if (!second) throw new Error('The job never reported progress');
    expect(events.at(-1)?.event).toBe('completed');
    expect(first.child.signalCode).toBe('SIGKILL');
    await expectTakenOverAndChargedOnce(second, jobId, before);
    await second.stop();
  }, 240_000);
});
