import { Worker } from 'node:worker_threads';
import {
  EngineFailure,
  InvalidJobInput,
  JobStopped,
  type EngineIdentity,
  type EngineReadiness,
  type InferenceEngine,
  type PipelineStage,
  type RenderContext,
  type RenderRequest,
  type RenderedVideo,
} from '../../engine/engine.ts';
import type { FromRenderThread, RenderThreadOptions, ToRenderThread } from './render-thread-protocol.ts';

/** Frames pulled from the thread at a time: enough to keep ffmpeg busy, few enough to bound memory. */
const FRAMES_PER_PULL = 8;

export interface OnnxEngineOptions extends RenderThreadOptions {
  /** Where the thread's stage timings go (the stage histogram). */
  observeStage(stage: PipelineStage, seconds: number): void;
  /** The thread died: this process cannot render any more and must restart. */
  onFatal(error: Error): void;
}

interface Listener {
  (message: FromRenderThread): void;
}

/**
 * Engine `onnx`: our Wan 2.2 graphs (models/wan22) on onnxruntime, in a thread of this process
 * (see render-thread.ts). Forwards each job to the thread and relays its steps, checkpoints, stage
 * timings and decoded frames.
 */
export class OnnxEngine implements InferenceEngine {
  readonly kind = 'onnx';
  // Sampling dominates; decoding is streamed into the encoder, so it also covers the encode.
  readonly progressPlan = [
    ['denoise', 85],
    ['decode', 10],
  ] as const;

  private thread: Worker | null = null;
  private listener: Listener | null = null;
  private onThreadDeath: ((error: Error) => void) | null = null;
  private busy = false;
  private readonly options: OnnxEngineOptions;

  constructor(options: OnnxEngineOptions) {
    this.options = options;
  }

  /** Starts the thread and resolves once it has verified and loaded the model. */
  async load(): Promise<EngineIdentity> {
    // Under tests the sources run directly (type-stripped); in production the build's .js.
    const source = import.meta.url.endsWith('.ts');
    const { modelDir, device, cudaDeviceId } = this.options;
    const thread = new Worker(
      new URL(source ? './render-thread.ts' : './render-thread.js', import.meta.url),
      {
        workerData: { modelDir, device, cudaDeviceId } satisfies RenderThreadOptions,
        execArgv: source ? ['--conditions=@cineweave/source'] : [],
      },
    );
    const loaded = await new Promise<{ modelName: string; modelHash: string }>((resolve, reject) => {
      thread.once('error', reject);
      thread.once('exit', (code) =>
        reject(new Error(`The render thread exited (code ${code}) while loading the model`)),
      );
      thread.on('message', function onMessage(message: FromRenderThread) {
        if (message.type === 'loaded') {
          thread.off('message', onMessage);
          resolve(message);
        } else if (message.type === 'load-failed') {
          reject(new Error(message.message));
        }
      });
    });
    for (const event of ['error', 'exit', 'message']) thread.removeAllListeners(event);
    thread.on('message', (message: FromRenderThread) => {
      if (message.type === 'stage') this.options.observeStage(message.stage, message.seconds);
      else this.listener?.(message);
    });
    thread.on('error', (error) => this.die(error));
    thread.on('exit', (code) => this.die(new Error(`The render thread exited (code ${code})`)));
    this.thread = thread;
    return {
      modelHash: loaded.modelHash,
      description: `${loaded.modelName} from ${modelDir} on ${device}`,
    };
  }

  async ready(): Promise<EngineReadiness> {
    return this.thread
      ? { ready: true }
      : { ready: false, reason: 'the render thread is not running (loading, or it died)' };
  }

  async render(request: RenderRequest, context: RenderContext): Promise<RenderedVideo> {
    if (this.busy) throw new Error('The render thread renders one job at a time');
    this.busy = true;
    try {
      const sampled = await new Promise<Extract<FromRenderThread, { type: 'sampled' }>>((resolve, reject) => {
        this.listen((message) => {
          switch (message.type) {
            case 'step':
              context.onProgress({ stage: 'denoise', done: message.step, total: message.totalSteps });
              break;
            case 'checkpoint':
              context.checkpoint().then(
                () => this.send({ type: 'checkpoint-result', stop: null }),
                (error: unknown) =>
                  this.send({
                    type: 'checkpoint-result',
                    stop: error instanceof JobStopped ? error.why : 'cancelled',
                  }),
              );
              break;
            case 'sampled':
              resolve(message);
              break;
            case 'failed':
              reject(toError(message));
              break;
            default:
              break;
          }
        }, reject);
        this.send({ type: 'render', request });
      });
      const { width, height, frameCount, sampling } = sampled;
      return {
        kind: 'frames',
        width,
        height,
        frameCount,
        sampling,
        frames: () => this.pullFrames(frameCount, context),
      };
    } catch (error) {
      this.busy = false;
      this.listener = null;
      throw error;
    }
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = null;
    thread?.removeAllListeners('exit');
    await thread?.terminate();
  }

  private async *pullFrames(frameCount: number, context: RenderContext): AsyncGenerator<Uint8Array> {
    let finished = false;
    let decoded = 0;
    try {
      while (!finished) {
        const batch = await new Promise<Extract<FromRenderThread, { type: 'frames' }>>((resolve, reject) => {
          this.listen((message) => {
            if (message.type === 'frames') resolve(message);
            else if (message.type === 'failed') reject(toError(message));
          }, reject);
          this.send({ type: 'pull', maxFrames: FRAMES_PER_PULL });
        });
        finished = batch.done;
        for (const frame of batch.frames) yield new Uint8Array(frame);
        decoded += batch.frames.length;
        context.onProgress({ stage: 'decode', done: decoded, total: frameCount });
      }
    } finally {
      // The consumer stopped early (encode failed): let the thread drop the rest of the video.
      if (!finished) this.send({ type: 'discard' });
      this.listener = null;
      this.busy = false;
    }
  }

  private listen(listener: Listener, onDeath: (error: Error) => void): void {
    this.listener = listener;
    this.onThreadDeath = onDeath;
  }

  private send(message: ToRenderThread): void {
    this.thread?.postMessage(message);
  }

  private die(error: Error): void {
    this.thread = null;
    this.onThreadDeath?.(new EngineFailure(`The render thread died: ${error.message}`));
    this.onThreadDeath = null;
    this.options.onFatal(error);
  }
}

function toError(message: Extract<FromRenderThread, { type: 'failed' }>): Error {
  if (message.kind === 'stopped') return new JobStopped(message.why ?? 'cancelled');
  if (message.kind === 'invalid-input') return new InvalidJobInput(message.message);
  return new Error(`Rendering failed: ${message.message}`);
}
