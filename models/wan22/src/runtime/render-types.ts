import type { RenderPreset } from './presets.ts';

/** What one render asks of the model, fully resolved (the caller applies defaults and picks the seed). */
export interface Wan22RenderRequest {
  prompt: string;
  negativePrompt?: string;
  /** Output size for text-to-video; image-to-video keeps the image's aspect within this area. */
  width: number;
  height: number;
  frames: number;
  seed: number;
  steps: number;
  guidanceScale: number;
  /** Decoded input image (RGB24) for image-to-video. */
  image?: { rgb: Uint8Array; width: number; height: number };
  /** Speed/fidelity trade-off (see presets.ts); absent means quality. */
  preset?: RenderPreset;
}

/** What the sampling did: reported with the result so the caching and few-step savings show. */
export interface SamplingSummary {
  readonly steps: number;
  readonly ditCalls: number;
  readonly cachedSteps: number;
}

export interface Wan22RenderHooks {
  /** Called after every denoising step. */
  onStep(step: number, totalSteps: number): Promise<void> | void;
  /** Called between steps; whatever it throws stops the render there and propagates unchanged. */
  checkpoint(): Promise<void>;
}

/** Decoded video, frame by frame, as interleaved RGB24. */
export interface DecodedVideo {
  width: number;
  height: number;
  frameCount: number;
  sampling: SamplingSummary;
  frames(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/** A request this model cannot render (frame count, image): the caller's fault, not the model's. */
export class InvalidRenderInput extends Error {}

/** The stages of one render, as the stage histogram names them. */
export type Wan22Stage = 'tokenize' | 'text_encode' | 'image_encode' | 'sample' | 'decode';

/** Times render stages (wherever the renderer runs: a worker thread posts them to its parent). */
export interface StageTimer {
  timeStage<T>(stage: Wan22Stage, run: () => Promise<T> | T): Promise<T>;
  startStage(stage: Wan22Stage): () => void;
}
