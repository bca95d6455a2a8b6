import type { RenderRequest, PipelineStage, SamplingSummary } from '../../engine/engine.ts';

/** How the render thread is started: what `Wan22Renderer.load` needs. */
export interface RenderThreadOptions {
  modelDir: string;
  device: 'cuda' | 'cpu';
  cudaDeviceId: number;
}

export type ToRenderThread =
  | { type: 'render'; request: RenderRequest }
  | { type: 'checkpoint-result'; stop: 'cancelled' | 'shutdown' | null }
  | { type: 'pull'; maxFrames: number }
  | { type: 'discard' };

export type FromRenderThread =
  | { type: 'loaded'; modelName: string; modelHash: string }
  | { type: 'load-failed'; message: string }
  | { type: 'step'; step: number; totalSteps: number }
  | { type: 'checkpoint' }
  | { type: 'sampled'; width: number; height: number; frameCount: number; sampling: SamplingSummary }
  | { type: 'frames'; frames: ArrayBuffer[]; done: boolean }
  | { type: 'stage'; stage: PipelineStage; seconds: number }
  | {
      type: 'failed';
      kind: 'invalid-input' | 'stopped' | 'error';
      why?: 'cancelled' | 'shutdown';
      message: string;
    };
