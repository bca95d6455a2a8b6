import type { Resolution } from '@cineweave/contracts';

/** What one job asks the model for, fully resolved (defaults applied, seed chosen by the API). */
export interface RenderRequest {
  prompt: string;
  negativePrompt?: string;
  resolution: Resolution;
  frames: number;
  fps: number;
  seed: number;
  steps: number;
  guidanceScale: number;
  /** Decoded input image (RGB24) for image-to-video. */
  image?: { rgb: Uint8Array; width: number; height: number };
}

export interface RenderHooks {
  /** Called after every denoising step. */
  onStep(step: number, totalSteps: number): Promise<void> | void;
  /** Called between steps; throws (JobStopped) when the job must stop there. */
  checkpoint(): Promise<void>;
}

/** Decoded video, frame by frame, as interleaved RGB24. */
export interface RenderedVideo {
  width: number;
  height: number;
  frameCount: number;
  frames(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/** The model, loaded once per process: tokenize → encode text → sample → decode. */
export interface VideoRenderer {
  readonly modelId: string;
  /** sha256 of the model manifest, reported with every result so outputs can be traced to weights. */
  readonly modelHash: string;
  render(request: RenderRequest, hooks: RenderHooks): Promise<RenderedVideo>;
  close(): Promise<void>;
}

/** A job input the model cannot use: the job fails with this message, and is not retried. */
export class InvalidJobInput extends Error {}

/** Thrown by a checkpoint: the job stops between two steps. */
export class JobStopped extends Error {
  readonly why: 'cancelled' | 'shutdown';

  constructor(why: 'cancelled' | 'shutdown') {
    super(why === 'cancelled' ? 'The job was cancelled' : 'The worker is shutting down');
    this.why = why;
  }
}

export type PipelineStage =
  'tokenize' | 'text_encode' | 'image_encode' | 'sample' | 'decode' | 'encode_video' | 'upload';

/** Times pipeline stages into the stage histogram (wherever the renderer runs). */
export interface StageTimer {
  timeStage<T>(stage: PipelineStage, run: () => Promise<T> | T): Promise<T>;
  startStage(stage: PipelineStage): () => void;
}
