import type { Resolution } from '@cineweave/contracts';
import type { RenderPreset } from '@cineweave/wan22';

/**
 * The seam between the worker's runtime (queue, progress, cancel, encode, upload, health) and
 * whatever renders the video. The runtime knows only this module; engines know nothing of the
 * queue, the bucket or the API.
 */

/** The engines a worker can run. Today from ENGINE_KIND; later from the model catalog. */
export const ENGINE_KINDS = ['onnx', 'openai-videos'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

/** What one job asks for, fully resolved (defaults applied, seed chosen by the API). */
export interface RenderRequest {
  prompt: string;
  negativePrompt?: string;
  resolution: Resolution;
  width: number;
  height: number;
  durationSeconds: number;
  /** 4k + 1 frames for Wan (see `frameCount` in the contracts). */
  frames: number;
  fps: number;
  seed: number;
  steps: number;
  guidanceScale: number;
  /** Decoded input image (RGB24) for image-to-video. */
  image?: { rgb: Uint8Array; width: number; height: number };
  /**
   * Speed/fidelity trade-off: quality (absent), balanced (the onnx engine's step caching) or fast
   * (a few-step distilled model: a worker of another model refuses it as the job's fault).
   * Engines that cannot honour it say so in their README.
   */
  preset?: RenderPreset;
}

/** What sampling cost: the savings of a preset show here (DiT calls against steps). */
export interface SamplingSummary {
  steps: number;
  ditCalls: number;
  cachedSteps: number;
}

/**
 * The stages an engine reports. `denoise` counts sampling steps; `decode` counts decoded frames;
 * `generate` is a server's own progress over its whole render (sampling, decode and its encode);
 * `download` counts bytes fetched from it.
 */
export type EngineStage = 'denoise' | 'decode' | 'generate' | 'download';

export interface StageProgress {
  stage: EngineStage;
  done: number;
  total: number;
}

export interface RenderContext {
  /** Aborted (reason: a JobStopped) when the job is cancelled or the worker must hand it back. */
  signal: AbortSignal;
  /**
   * Checks for a stop right now and throws JobStopped if there is one. Engines with natural step
   * boundaries call it there, so a cancel lands within one step without waiting for a poll.
   */
  checkpoint(): Promise<void>;
  onProgress(progress: StageProgress): void;
  /** A directory of this job's own, removed when the job ends. */
  workDir: string;
}

/** Either raw frames for the runtime to encode, or an MP4 the engine already made. */
export type RenderedVideo =
  | {
      kind: 'frames';
      width: number;
      height: number;
      frameCount: number;
      /** Interleaved RGB24 frames, produced as they are pulled. */
      frames(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
      /** Engines that run the sampler themselves report what it cost. */
      sampling?: SamplingSummary;
    }
  | { kind: 'mp4'; path: string };

export interface EngineIdentity {
  /** Reported with every result, so an output can be traced to the weights that made it. */
  modelHash: string;
  /** For the logs: what was loaded or reached. */
  description: string;
}

export interface EngineReadiness {
  ready: boolean;
  /** Why not, in words a person reading `/readyz` can act on. */
  reason?: string;
}

export interface InferenceEngine {
  readonly kind: EngineKind;
  /**
   * The stages this engine reports, each with its share of a render's wall time (any scale). The
   * runtime adds its own (encode, upload) to turn them into one percentage.
   */
  readonly progressPlan: readonly (readonly [EngineStage, number])[];
  /** Verifies and loads the model, or waits for the engine server; resolves once render() can run. */
  load(signal: AbortSignal): Promise<EngineIdentity>;
  /** Whether the engine can take a job now. Cheap: it is polled every few seconds. */
  ready(): Promise<EngineReadiness>;
  render(request: RenderRequest, context: RenderContext): Promise<RenderedVideo>;
  close(): Promise<void>;
}

/** A job input the model cannot use: the job fails with this message, and is not retried. */
export class InvalidJobInput extends Error {}

/**
 * The engine failed this job and cannot be trusted with the next one as is (crashed, hung, answered
 * nonsense): the job fails with this message (its credits are released) and the worker reports
 * not ready until the engine is healthy again.
 */
export class EngineFailure extends Error {}

/** The job must stop: cancelled by its owner, or handed back because the worker shuts down. */
export class JobStopped extends Error {
  readonly why: 'cancelled' | 'shutdown';

  constructor(why: 'cancelled' | 'shutdown') {
    super(why === 'cancelled' ? 'The job was cancelled' : 'The worker is shutting down');
    this.why = why;
  }
}

export type PipelineStage =
  | 'tokenize'
  | 'text_encode'
  | 'image_encode'
  | 'sample'
  | 'decode'
  | 'generate'
  | 'download'
  | 'encode_video'
  | 'sign'
  | 'moderate'
  | 'upload';
