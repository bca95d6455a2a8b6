import type { WorkerConfig } from '../config/worker-config.ts';
import { onnxruntimeAttentionEnv } from '../engines/onnx/attention-backend.ts';
import { OnnxEngine } from '../engines/onnx/onnx-engine.ts';
import { OpenAiVideosEngine } from '../engines/openai-videos/openai-videos-engine.ts';
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
      // onnxruntime reads its kernel switches from the process environment (getenv) when the
      // render thread creates its sessions; set here, on the main thread, they reach it.
      Object.assign(process.env, onnxruntimeAttentionEnv(config.ATTENTION_BACKEND));
      return new OnnxEngine({
        // loadWorkerConfig guarantees MODEL_DIR for this engine.
        modelDir: config.MODEL_DIR ?? '',
        device: config.DEVICE,
        cudaDeviceId: config.CUDA_DEVICE_ID,
        observeStage: hooks.observeStage,
        onFatal: hooks.onFatal,
      });
    case 'openai-videos':
      return new OpenAiVideosEngine({
        baseUrl: config.ENGINE_URL,
        healthPath: config.ENGINE_HEALTH_PATH,
        model: config.ENGINE_MODEL,
        apiKey: config.ENGINE_API_KEY,
        startTimeoutMs: config.ENGINE_START_TIMEOUT_SECONDS * 1000,
        renderTimeoutMs: config.ENGINE_RENDER_TIMEOUT_SECONDS * 1000,
        unresponsiveMs: config.ENGINE_UNRESPONSIVE_SECONDS * 1000,
        pollMs: config.ENGINE_POLL_MS,
      });
  }
}
