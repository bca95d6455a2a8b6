import {
  JOB_NAMES,
  QUEUE_NAMES,
  VideoJobPayloadSchema,
  cancelSignalKey,
  frameCount,
  outputKeys,
  type JobProgress,
  type JobResult,
  type VideoJobPayload,
} from '@cineweave/contracts';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import sharp from 'sharp';
import type { WorkerMetrics } from '../metrics/worker-metrics.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { encodeThumbnail } from '../video/thumbnail.ts';
import { encodeVideo } from '../video/video-encoder.ts';
import {
  InvalidJobInput,
  JobStopped,
  type RenderRequest,
  type VideoRenderer,
} from '../render/video-renderer.ts';

export interface JobConsumerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  ffmpegPath: string;
  shutdownGraceSeconds: number;
  workerId: string;
  lockSeconds: number;
}

/** Upper bound of an input image's decoded size; the API already refuses larger uploads. */
const MAX_INPUT_PIXELS = 4096 * 4096;

/**
 * Takes `generate` jobs from the work queue, renders them, uploads the MP4 and thumbnail, and puts
 * exactly one result per attempt on the results queue. Domain failures (bad input) become
 * `failed` results; infrastructure failures (S3, Redis) throw so BullMQ retries the job elsewhere.
 */
export class JobConsumer {
  private worker?: Worker<VideoJobPayload>;
  private readonly results: Queue;
  private shutdownDeadline: number | null = null;

  constructor(
    private readonly renderer: VideoRenderer,
    private readonly store: ObjectStore,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
    private readonly options: JobConsumerOptions,
  ) {
    this.results = new Queue(QUEUE_NAMES.videoResults, {
      connection: options.connection,
      prefix: options.prefix,
    });
  }

  start(): void {
    this.worker = new Worker<VideoJobPayload>(
      QUEUE_NAMES.videoJobs,
      (job, token) => this.process(job, token),
      {
        connection: this.options.connection,
        prefix: this.options.prefix,
        concurrency: this.options.concurrency,
        // One attempt renders for minutes on an event loop that stays free (onnxruntime runs in its own
        // threads), so a lock renewed at half its duration holds; a dead worker's job is taken over
        // within about one lock duration (the stalled check runs as often).
        lockDuration: this.options.lockSeconds * 1000,
        stalledInterval: this.options.lockSeconds * 1000,
        // A job whose worker died twice (SIGKILL, OOM) is failed rather than offered a third time.
        maxStalledCount: 2,
      },
    );
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'Queue connection error'));
  }

  /**
   * Stops taking jobs; the job in hand finishes if it does within the grace period, otherwise it
   * stops at its next step and goes back to the queue for another worker.
   */
  async stop(): Promise<void> {
    this.shutdownDeadline = Date.now() + this.options.shutdownGraceSeconds * 1000;
    await this.worker?.close();
    await this.results.close();
  }

  private async process(job: Job<VideoJobPayload>, _token?: string): Promise<void> {
    const parsed = VideoJobPayloadSchema.safeParse(job.data);
    if (!parsed.success) {
      // Without a valid payload there is no attempt token to report against: nothing to retry.
      throw new UnrecoverableError(
        `The job payload is not valid: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      );
    }
    const payload = parsed.data;
    const log = this.logger.child({ jobId: payload.jobId, attempt: job.attemptsStarted });
    const startedAt = performance.now();
    this.metrics.busy.inc();
    log.info({ resolution: payload.resolution, steps: payload.steps, seed: payload.seed }, 'Started job');
    let status: JobResult['outcome'] = 'failed';
    try {
      const result = await this.render(job, payload, startedAt);
      status = result.outcome;
      await this.results.add(JOB_NAMES.result, result, {
        // One result per attempt: a re-send of the same attempt collapses into the first.
        jobId: `${payload.jobId}.${payload.attemptToken}`,
        removeOnComplete: { age: 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
      log.info({ outcome: result.outcome, gpuSeconds: result.gpuSeconds }, 'Finished job');
    } catch (error) {
      if (error instanceof JobStopped && error.why === 'shutdown') {
        log.warn('Handed the job back: the worker is shutting down');
        throw new Error('Handed back: the worker shut down before the job finished');
      }
      log.error({ err: error }, 'Job attempt failed; BullMQ will retry it');
      throw error;
    } finally {
      this.metrics.busy.dec();
      this.metrics.jobDuration.observe(
        { model: payload.model, resolution: payload.resolution, status },
        (performance.now() - startedAt) / 1000,
      );
    }
  }

  private async render(
    job: Job<VideoJobPayload>,
    payload: VideoJobPayload,
    startedAt: number,
  ): Promise<JobResult> {
    const base = {
      jobId: payload.jobId,
      attemptToken: payload.attemptToken,
      workerId: this.options.workerId,
    };
    const gpuSeconds = () => (performance.now() - startedAt) / 1000;
    let lastStepAt = performance.now();
    try {
      const request = await this.renderRequest(payload);
      const video = await this.renderer.render(request, {
        onStep: async (step, totalSteps) => {
          const now = performance.now();
          this.metrics.stepSeconds.observe(
            { model: payload.model, resolution: payload.resolution },
            (now - lastStepAt) / 1000,
          );
          lastStepAt = now;
          const perStep = (now - startedAt) / 1000 / step;
          const progress: JobProgress = {
            step,
            totalSteps,
            percent: Math.round((step / totalSteps) * 1000) / 10,
            etaSeconds: Math.max(0, Math.round(perStep * (totalSteps - step) * 10) / 10),
          };
          await job.updateProgress(progress);
        },
        checkpoint: () => this.checkpoint(payload.jobId),
      });
      const keys = outputKeys(payload.accountId, payload.jobId);
      const encoded = await this.encodeAndUpload(video, payload.fps, keys);
      const seconds = gpuSeconds();
      this.metrics.recordGpuTime(payload.model, seconds);
      return {
        ...base,
        outcome: 'succeeded',
        videoKey: keys.video,
        thumbnailKey: keys.thumbnail,
        durationSeconds: encoded.durationSeconds,
        frames: encoded.frames,
        modelHash: this.renderer.modelHash,
        gpuSeconds: seconds,
      };
    } catch (error) {
      if (error instanceof JobStopped && error.why === 'cancelled') {
        const seconds = gpuSeconds();
        this.metrics.recordGpuTime(payload.model, seconds);
        return { ...base, outcome: 'cancelled', gpuSeconds: seconds };
      }
      if (error instanceof InvalidJobInput) {
        return { ...base, outcome: 'failed', reason: error.message, gpuSeconds: gpuSeconds() };
      }
      throw error;
    }
  }

  private async checkpoint(jobId: string): Promise<void> {
    if (await this.options.connection.exists(cancelSignalKey(jobId))) throw new JobStopped('cancelled');
    if (this.shutdownDeadline !== null && Date.now() > this.shutdownDeadline)
      throw new JobStopped('shutdown');
  }

  private async renderRequest(payload: VideoJobPayload): Promise<RenderRequest> {
    const request: RenderRequest = {
      prompt: payload.prompt,
      negativePrompt: payload.negativePrompt,
      resolution: payload.resolution,
      frames: frameCount(payload.durationSeconds, payload.fps),
      fps: payload.fps,
      seed: payload.seed,
      steps: payload.steps,
      guidanceScale: payload.guidanceScale,
    };
    if (payload.imageKey) request.image = await this.loadImage(payload.imageKey);
    return request;
  }

  private async loadImage(key: string): Promise<NonNullable<RenderRequest['image']>> {
    const bytes = await this.store.download(key);
    if (!bytes) throw new InvalidJobInput(`The input image '${key}' no longer exists; upload it again`);
    try {
      const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS })
        .rotate()
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      return {
        rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        width: info.width,
        height: info.height,
      };
    } catch (error) {
      throw new InvalidJobInput(`The input image could not be decoded (${(error as Error).message})`);
    }
  }

  private async encodeAndUpload(
    video: Awaited<ReturnType<VideoRenderer['render']>>,
    fps: number,
    keys: { video: string; thumbnail: string },
  ): Promise<{ frames: number; durationSeconds: number }> {
    const dir = await mkdtemp(join(tmpdir(), 'cineweave-job-'));
    try {
      const videoPath = join(dir, 'video.mp4');
      let firstFrame: Uint8Array | undefined;
      const frames = video.frames();
      async function* keepFirst() {
        for await (const frame of frames) {
          firstFrame ??= frame;
          yield frame;
        }
      }
      const encoded = await this.metrics.timeStage('encode_video', () =>
        encodeVideo(keepFirst(), {
          ffmpegPath: this.options.ffmpegPath,
          width: video.width,
          height: video.height,
          fps,
          outputPath: videoPath,
        }),
      );
      if (!firstFrame) throw new Error('The renderer produced no frames');
      const thumbnail = await encodeThumbnail(firstFrame, video.width, video.height);
      await this.metrics.timeStage('upload', async () => {
        await this.store.uploadFile(keys.video, videoPath, 'video/mp4');
        await this.store.uploadBuffer(keys.thumbnail, thumbnail, 'image/webp');
      });
      return encoded;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
