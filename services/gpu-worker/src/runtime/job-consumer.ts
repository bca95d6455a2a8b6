import {
  JOB_NAMES,
  QUEUE_JOB_NAMES,
  QUEUE_NAMES,
  VideoJobPayloadSchema,
  cancelSignalKey,
  frameCount,
  outputKeys,
  parseResolution,
  workQueueName,
  type ContentCredentialsSummary,
  jobHandlers,
  resultJobOptions,
  type JobResult,
  type JobStage,
  type VideoJobPayload,
} from '@cineweave/contracts';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import sharp from 'sharp';
import {
  EngineFailure,
  InvalidJobInput,
  JobStopped,
  type InferenceEngine,
  type RenderRequest,
  type RenderedVideo,
} from '../engine/engine.ts';
import type { ContentSigner } from '../content-credentials/content-signer.ts';
import type { GenerationFacts } from '../content-credentials/manifest.ts';
import type { WorkerMetrics } from '../metrics/worker-metrics.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { ensureOutputContract, readFirstFrame } from '../video/output-contract.ts';
import { encodeThumbnail } from '../video/thumbnail.ts';
import { contentPolicyReason, type OutputModerator } from '../moderation/output-moderator.ts';
import { encodeVideo } from '../video/video-encoder.ts';
import { JobProgressTracker } from './job-progress.ts';
import { JobStop } from './job-stop.ts';

export interface JobConsumerOptions {
  connection: Redis;
  /** The model this worker serves: it takes jobs from that model's queue only. */
  model: string;
  prefix: string;
  concurrency: number;
  ffmpegPath: string;
  ffprobePath: string;
  shutdownGraceSeconds: number;
  workerId: string;
  lockSeconds: number;
  /** How often a running job looks for a cancel between the engine's own checkpoints. */
  cancelPollMs: number;
  /** The engine failed a job: check its readiness now rather than at the next poll. */
  onEngineFailure(error: EngineFailure): void;
  /** Signs every MP4 and thumbnail with C2PA Content Credentials; absent when signing is off. */
  contentSigner?: ContentSigner;
  /** CineWeave's version, named as the generator in the Content Credentials. */
  version: string;
  /** Judges sampled frames before upload (OUTPUT_MODERATION_URL); absent when outputs are not checked. */
  outputModerator?: OutputModerator;
}

/** The output check refused the video: it is not delivered and the job fails (no charge). */
class OutputRefused extends Error {
  constructor(
    message: string,
    readonly contentPolicy: { outcome: 'refused' | 'refused-on-error'; categories: string[] },
  ) {
    super(message);
  }
}

/** Upper bound of an input image's decoded size; the API already refuses larger uploads. */
const MAX_INPUT_PIXELS = 4096 * 4096;

/** The runtime's own stages after the engine's, with their share of a job's wall time. */
const ENCODE_WEIGHT = 3;
const SIGN_WEIGHT = 1;
const UPLOAD_WEIGHT = 4;

interface Delivered {
  frames: number;
  durationSeconds: number;
}

/** The input image as uploaded, for the Content Credentials' ingredient. */
type InputImage = NonNullable<GenerationFacts['inputImage']>;

const IMAGE_FORMATS: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/**
 * Takes `generate` jobs from the work queue, renders them through the engine, delivers the MP4
 * and thumbnail, and puts exactly one result per attempt on the results queue. Domain failures
 * (bad input, an engine that failed) become `failed` results, whose reservation the API releases;
 * infrastructure failures (S3, Redis) throw so BullMQ retries the job elsewhere.
 */
type Handler = (job: Job<VideoJobPayload>) => Promise<void>;

export class JobConsumer {
  private worker?: Worker<VideoJobPayload>;
  private readonly results: Queue;
  private shutdownDeadline: number | null = null;
  /** Checked against the work queue's job names on construction: a worker missing one does not start. */
  private readonly handlers: ReadonlyMap<string, Handler> = jobHandlers<Handler>(
    QUEUE_NAMES.videoJobs,
    QUEUE_JOB_NAMES[QUEUE_NAMES.videoJobs],
    [[JOB_NAMES.generate, (job) => this.generate(job)]],
  );

  constructor(
    private readonly engine: InferenceEngine,
    private readonly modelHash: string,
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

  /** Starts taking jobs; `paused` starts without taking any until resume(). */
  start(paused = false): void {
    this.worker = new Worker<VideoJobPayload>(workQueueName(this.options.model), (job) => this.process(job), {
      connection: this.options.connection,
      prefix: this.options.prefix,
      concurrency: this.options.concurrency,
      autorun: !paused,
      // One attempt renders for minutes on an event loop that stays free (inference runs in
      // its own thread or process), so a lock renewed at half its duration holds; a dead
      // worker's job is taken over within about one lock duration (the stalled check runs as often).
      lockDuration: this.options.lockSeconds * 1000,
      stalledInterval: this.options.lockSeconds * 1000,
      // A job whose worker died twice (SIGKILL, OOM) is failed rather than offered a third time.
      maxStalledCount: 2,
    });
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'Queue connection error'));
  }

  /** Stops taking new jobs (the engine is not ready); the job in hand goes on. */
  pause(): void {
    if (this.worker && !this.worker.isPaused()) void this.worker.pause(true);
  }

  /** Takes jobs (again): also the first start of a consumer started paused. */
  resume(): void {
    // BullMQ's resume() clears the pause and restarts the main loop when a pause let it end.
    void this.worker?.resume();
  }

  /**
   * Stops taking jobs; the job in hand finishes if it does within the grace period, otherwise it
   * stops at its next checkpoint and goes back to the queue for another worker.
   */
  async stop(): Promise<void> {
    this.shutdownDeadline = Date.now() + this.options.shutdownGraceSeconds * 1000;
    await this.worker?.close();
    await this.results.close();
  }

  private async process(job: Job<VideoJobPayload>): Promise<void> {
    const handler = this.handlers.get(job.name);
    if (!handler) {
      // Retrying cannot give an unknown job a handler: fail it for inspection.
      throw new UnrecoverableError(`No handler for ${QUEUE_NAMES.videoJobs} job "${job.name}"`);
    }
    await handler(job);
  }

  private async generate(job: Job<VideoJobPayload>): Promise<void> {
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
    log.info(
      { resolution: payload.resolution, steps: payload.steps, seed: payload.seed, engine: this.engine.kind },
      'Started job',
    );
    let status: JobResult['outcome'] = 'failed';
    try {
      const result = await this.attempt(job, payload, startedAt, log);
      status = result.outcome;
      await this.results.add(JOB_NAMES.result, result, resultJobOptions(result));
      log.info(
        {
          outcome: result.outcome,
          gpuSeconds: result.gpuSeconds,
          ...(result.outcome === 'failed' ? { reason: result.reason } : {}),
        },
        'Finished job',
      );
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

  private async attempt(
    job: Job<VideoJobPayload>,
    payload: VideoJobPayload,
    startedAt: number,
    log: Logger,
  ): Promise<JobResult> {
    const base = {
      jobId: payload.jobId,
      attemptToken: payload.attemptToken,
      workerId: this.options.workerId,
    };
    const gpuSeconds = () => (performance.now() - startedAt) / 1000;
    const workDir = await mkdtemp(join(tmpdir(), 'cineweave-job-'));
    const stop = new JobStop({
      isCancelled: async () => (await this.options.connection.exists(cancelSignalKey(payload.jobId))) > 0,
      shutdownDeadline: () => this.shutdownDeadline,
      pollMs: this.options.cancelPollMs,
    }).start();
    const progress = new JobProgressTracker({
      plan: [...this.engine.progressPlan, ...this.runtimeStages()],
      steps: payload.steps,
      report: (update) => job.updateProgress(update),
      onReportError: (error) => log.warn({ err: error }, 'Could not report progress'),
    });
    let lastStep = { step: 0, at: startedAt };
    try {
      const { request, inputImage } = await this.renderRequest(payload);
      const video = await this.engine.render(request, {
        signal: stop.signal,
        checkpoint: () => stop.check(),
        workDir,
        onProgress: ({ stage, done, total }) => {
          if (stage === 'denoise' && done > lastStep.step) {
            const now = performance.now();
            this.metrics.stepSeconds.observe(
              { model: payload.model, resolution: payload.resolution },
              (now - lastStep.at) / 1000 / (done - lastStep.step),
            );
            lastStep = { step: done, at: now };
          }
          progress.update(stage, done, total);
        },
      });
      if (video.kind === 'frames' && video.sampling) {
        log.info({ sampling: video.sampling, preset: request.preset ?? 'quality' }, 'Sampled the video');
      }
      const keys = outputKeys(payload.accountId, payload.jobId);
      const facts: GenerationFacts = {
        jobId: payload.jobId,
        modelId: payload.model,
        weightsHash: this.modelHash,
        version: this.options.version,
        created: new Date(),
        ...(inputImage ? { inputImage } : {}),
      };
      const delivered = await this.deliver(video, payload.fps, keys, workDir, progress, stop, log, facts);
      await progress.flush();
      const seconds = gpuSeconds();
      this.metrics.recordGpuTime(payload.model, seconds);
      return {
        ...base,
        outcome: 'succeeded',
        videoKey: keys.video,
        thumbnailKey: keys.thumbnail,
        durationSeconds: delivered.durationSeconds,
        frames: delivered.frames,
        modelHash: this.modelHash,
        gpuSeconds: seconds,
        ...(delivered.contentCredentials ? { contentCredentials: delivered.contentCredentials } : {}),
      };
    } catch (error) {
      if (error instanceof JobStopped && error.why === 'cancelled') {
        const seconds = gpuSeconds();
        this.metrics.recordGpuTime(payload.model, seconds);
        return { ...base, outcome: 'cancelled', gpuSeconds: seconds };
      }
      if (error instanceof OutputRefused) {
        const seconds = gpuSeconds();
        this.metrics.recordGpuTime(payload.model, seconds);
        return {
          ...base,
          outcome: 'failed',
          reason: error.message,
          contentPolicy: error.contentPolicy,
          gpuSeconds: seconds,
        };
      }
      if (error instanceof InvalidJobInput) {
        return { ...base, outcome: 'failed', reason: error.message, gpuSeconds: gpuSeconds() };
      }
      if (error instanceof EngineFailure) {
        this.options.onEngineFailure(error);
        const seconds = gpuSeconds();
        this.metrics.recordGpuTime(payload.model, seconds);
        return { ...base, outcome: 'failed', reason: truncate(error.message), gpuSeconds: seconds };
      }
      throw error;
    } finally {
      stop.dispose();
      await rm(workDir, { recursive: true, force: true });
    }
  }

  private runtimeStages(): [JobStage, number][] {
    return [
      ['encode', ENCODE_WEIGHT],
      ...(this.options.contentSigner ? [['sign', SIGN_WEIGHT] as [JobStage, number]] : []),
      ['upload', UPLOAD_WEIGHT],
    ];
  }

  private async renderRequest(
    payload: VideoJobPayload,
  ): Promise<{ request: RenderRequest; inputImage?: InputImage }> {
    const request: RenderRequest = {
      prompt: payload.prompt,
      negativePrompt: payload.negativePrompt,
      resolution: payload.resolution,
      ...parseResolution(payload.resolution),
      durationSeconds: payload.durationSeconds,
      frames: frameCount(payload.durationSeconds, payload.fps),
      fps: payload.fps,
      seed: payload.seed,
      steps: payload.steps,
      guidanceScale: payload.guidanceScale,
      // Jobs queued before presets existed carry none: quality, as they were admitted.
      ...(payload.preset ? { preset: payload.preset } : {}),
    };
    if (!payload.imageKey) return { request };
    const { image, input } = await this.loadImage(payload.imageKey);
    request.image = image;
    return { request, inputImage: input };
  }

  private async loadImage(
    key: string,
  ): Promise<{ image: NonNullable<RenderRequest['image']>; input: InputImage }> {
    const bytes = await this.store.download(key);
    if (!bytes) throw new InvalidJobInput(`The input image '${key}' no longer exists; upload it again`);
    try {
      const decoder = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS });
      const { format } = await decoder.metadata();
      const mime = IMAGE_FORMATS[format] ?? `image/${format}`;
      const input = { bytes, format: mime, title: `input.${format === 'jpeg' ? 'jpg' : format}` };
      const { data, info } = await decoder
        .rotate()
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      const image = {
        rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        width: info.width,
        height: info.height,
      };
      return { image, input };
    } catch (error) {
      throw new InvalidJobInput(`The input image could not be decoded (${(error as Error).message})`);
    }
  }

  /** Turns the engine's output into the contract MP4 and its thumbnail, and uploads both. */
  private async deliver(
    video: RenderedVideo,
    fps: number,
    keys: { video: string; thumbnail: string },
    workDir: string,
    progress: JobProgressTracker,
    stop: JobStop,
    log: Logger,
    facts: GenerationFacts,
  ): Promise<Delivered & { contentCredentials?: ContentCredentialsSummary }> {
    // Frames are encoded as the engine decodes them (its `decode` progress); `encode` starts when
    // the last one is in, for the encoder's flush and the MP4's faststart pass.
    const finished =
      video.kind === 'frames'
        ? await this.encodeFrames(video, fps, join(workDir, 'video.mp4'), () =>
            progress.update('encode', 0, 1),
          )
        : (progress.update('encode', 0, 1), await this.contractMp4(video.path, log));
    progress.update('encode', 1, 1);
    // The last moment a cancel can still save the upload; past it the video is delivered.
    await stop.check();
    const moderator = this.options.outputModerator;
    if (moderator) {
      // Before signing and upload: a refused video never reaches the bucket.
      const verdict = await this.metrics.timeStage('moderate', () =>
        moderator.check(finished.path, finished.durationSeconds),
      );
      if (verdict.outcome === 'allowed-on-error') {
        log.warn({ reason: verdict.reason }, 'Delivered a video the classifier could not check (fail-open)');
      }
      if (verdict.outcome === 'refused' || verdict.outcome === 'refused-on-error') {
        log.warn({ verdict }, 'Refused the rendered video (content policy)');
        throw new OutputRefused(contentPolicyReason(verdict), {
          outcome: verdict.outcome,
          categories: verdict.outcome === 'refused' ? verdict.categories : [],
        });
      }
    }
    let thumbnail: Uint8Array = await encodeThumbnail(finished.firstFrame, finished.width, finished.height);
    let videoPath = finished.path;
    let contentCredentials: ContentCredentialsSummary | undefined;
    const signer = this.options.contentSigner;
    if (signer) {
      // Between encode and upload: nothing unsigned leaves the worker while signing is on.
      videoPath = join(workDir, 'signed.mp4');
      progress.update('sign', 0, 1);
      await this.metrics.timeStage('sign', async () => {
        contentCredentials = await signer.signMp4(finished.path, videoPath, facts);
        thumbnail = await signer.signWebp(thumbnail, facts);
      });
      log.info(
        { manifest: contentCredentials?.manifestLabel, validation: contentCredentials?.validation },
        'Signed the video and thumbnail with Content Credentials',
      );
      progress.update('sign', 1, 1);
    }
    progress.update('upload', 0, 2);
    await this.metrics.timeStage('upload', async () => {
      await this.store.uploadFile(keys.video, videoPath, 'video/mp4');
      progress.update('upload', 1, 2);
      const webp = Buffer.from(thumbnail.buffer, thumbnail.byteOffset, thumbnail.byteLength);
      await this.store.uploadBuffer(keys.thumbnail, webp, 'image/webp');
    });
    progress.update('upload', 2, 2);
    return {
      frames: finished.frames,
      durationSeconds: finished.durationSeconds,
      ...(contentCredentials ? { contentCredentials } : {}),
    };
  }

  private async encodeFrames(
    video: Extract<RenderedVideo, { kind: 'frames' }>,
    fps: number,
    path: string,
    onLastFrame: () => void,
  ): Promise<Delivered & { path: string; firstFrame: Uint8Array; width: number; height: number }> {
    let firstFrame: Uint8Array | undefined;
    const frames = video.frames();
    async function* keepFirst() {
      for await (const frame of frames) {
        firstFrame ??= frame;
        yield frame;
      }
      onLastFrame();
    }
    const encoded = await this.metrics.timeStage('encode_video', () =>
      encodeVideo(keepFirst(), {
        ffmpegPath: this.options.ffmpegPath,
        width: video.width,
        height: video.height,
        fps,
        outputPath: path,
      }),
    );
    if (!firstFrame) throw new Error('The engine produced no frames');
    return { ...encoded, path, firstFrame, width: video.width, height: video.height };
  }

  private async contractMp4(
    path: string,
    log: Logger,
  ): Promise<Delivered & { path: string; firstFrame: Uint8Array; width: number; height: number }> {
    const contracted = await this.metrics
      .timeStage('encode_video', () =>
        ensureOutputContract(path, {
          ffmpegPath: this.options.ffmpegPath,
          ffprobePath: this.options.ffprobePath,
        }),
      )
      .catch((error: Error) => {
        throw new EngineFailure(`The engine's video is not a playable MP4: ${error.message}`);
      });
    const { probe } = contracted;
    if (contracted.change !== 'none') {
      log.info({ change: contracted.change }, "Converted the engine's MP4 to H.264 yuv420p with +faststart");
    }
    if (probe.frames < 1) throw new EngineFailure("The engine's MP4 has no frames");
    const firstFrame = await readFirstFrame(path, probe, this.options.ffmpegPath);
    return {
      path,
      firstFrame,
      width: probe.width,
      height: probe.height,
      frames: probe.frames,
      durationSeconds: probe.durationSeconds,
    };
  }
}

/** Result reasons are bounded (contracts: 2000 characters); engines can say a lot. */
function truncate(message: string): string {
  return message.length <= 2000 ? message : `${message.slice(0, 1997)}...`;
}
