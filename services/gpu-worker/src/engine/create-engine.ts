import type { WorkerConfig } from '../config/worker-config.ts';
import { OnnxEngine } from '../engines/onnx/onnx-engine.ts';
import type { InferenceEngine, PipelineStage } from './engine.ts';

export interface EngineHooks {
  observeStage(stage: PipelineStage, seconds: number): void;
  /** The engine cannot go on in this process (its thread died): the worker must restart. */
  onFatal(error: Error): void;
}

/** The engine ENGINE_KIND names, configured from the environment. */
export function createEngine(config: WorkerConfig, hooks: EngineHooks): InferenceEngine {
  switch (config.ENGINE_KIND) {
    case 'onnx':
      return new OnnxEngine({
        // loadWorkerConfig guarantees MODEL_DIR for this engine.
        modelDir: config.MODEL_DIR ?? '',
        device: config.DEVICE,
        cudaDeviceId: config.CUDA_DEVICE_ID,
        observeStage: hooks.observeStage,
        onFatal: hooks.onFatal,
      });
    case 'openai-videos':
      throw new Error('ENGINE_KIND=openai-videos is not available in this build');
  }
}
