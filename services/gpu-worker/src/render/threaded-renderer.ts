import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { WorkerMetrics } from '../metrics/worker-metrics.ts';
import type { FromRenderThread, RenderThreadOptions, ToRenderThread } from './render-thread-protocol.ts';
import {
  InvalidJobInput,
  JobStopped,
  type RenderHooks,
  type RenderRequest,
  type RenderedVideo,
  type VideoRenderer,
} from './video-renderer.ts';

/** Frames pulled from the thread at a time: enough to keep ffmpeg busy, few enough to bound memory. */
const FRAMES_PER_PULL = 8;

interface Listener {
  (message: FromRenderThread): void;
}

/**
 * The VideoRenderer of the main thread: forwards each job to the render thread (see
 * render-thread.ts) and relays its steps, checkpoints, stage timings and decoded frames.
 * Emits `fatal` when the thread dies: the process cannot render any more and must restart.
 */
export class ThreadedRenderer extends EventEmitter implements VideoRenderer {
  readonly modelId: string;
  readonly modelHash: string;
  private readonly thread: Worker;
  private readonly metrics: WorkerMetrics;
  private listener: Listener | null = null;
  private busy = false;

  private constructor(
    thread: Worker,
    metrics: WorkerMetrics,
    loaded: { modelId: string; modelHash: string },
  ) {
    super();
    this.thread = thread;
    this.metrics = metrics;
    this.modelId = loaded.modelId;
    this.modelHash = loaded.modelHash;
    thread.on('message', (message: FromRenderThread) => {
      if (message.type === 'stage') this.metrics.observeStage(message.stage, message.seconds);
      else this.listener?.(message);
    });
    thread.on('error', (error) => this.die(error));
    thread.on('exit', (code) => this.die(new Error(`The render thread exited (code ${code})`)));
  }

  /** Starts the thread and resolves once it has verified and loaded the model. */
  static async start(options: RenderThreadOptions, metrics: WorkerMetrics): Promise<ThreadedRenderer> {
    // Under tests the sources run directly (type-stripped); in production the build's .js.
    const source = import.meta.url.endsWith('.ts');
    const thread = new Worker(
      new URL(source ? './render-thread.ts' : './render-thread.js', import.meta.url),
      {
        workerData: options,
        execArgv: source ? ['--conditions=@cineweave/source'] : [],
      },
    );
    const loaded = await new Promise<{ modelId: string; modelHash: string }>((resolve, reject) => {
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
    thread.removeAllListeners('error');
    thread.removeAllListeners('exit');
    thread.removeAllListeners('message');
    return new ThreadedRenderer(thread, metrics, loaded);
  }

  async render(request: RenderRequest, hooks: RenderHooks): Promise<RenderedVideo> {
    if (this.busy) throw new Error('The render thread renders one job at a time');
    this.busy = true;
    try {
      const sampled = await new Promise<Extract<FromRenderThread, { type: 'sampled' }>>((resolve, reject) => {
        this.listen((message) => {
          switch (message.type) {
            case 'step':
              void Promise.resolve(hooks.onStep(message.step, message.totalSteps)).catch(reject);
              break;
            case 'checkpoint':
              hooks.checkpoint().then(
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
      return {
        width: sampled.width,
        height: sampled.height,
        frameCount: sampled.frameCount,
        frames: () => this.pullFrames(),
      };
    } catch (error) {
      this.busy = false;
      this.listener = null;
      throw error;
    }
  }

  async close(): Promise<void> {
    this.removeAllListeners('fatal');
    this.thread.removeAllListeners('exit');
    await this.thread.terminate();
  }

  private async *pullFrames(): AsyncGenerator<Uint8Array> {
    let finished = false;
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
      }
    } finally {
      // The consumer stopped early (encode failed): let the thread drop the rest of the video.
      if (!finished) this.send({ type: 'discard' });
      this.listener = null;
      this.busy = false;
    }
  }

  private listen(listener: Listener, onFatal: (error: Error) => void): void {
    this.listener = listener;
    this.removeAllListeners('thread-died');
    this.once('thread-died', onFatal);
  }

  private send(message: ToRenderThread): void {
    this.thread.postMessage(message);
  }

  private die(error: Error): void {
    this.emit('thread-died', error);
    this.emit('fatal', error);
  }
}

function toError(message: Extract<FromRenderThread, { type: 'failed' }>): Error {
  if (message.kind === 'stopped') return new JobStopped(message.why ?? 'cancelled');
  if (message.kind === 'invalid-input') return new InvalidJobInput(message.message);
  return new Error(`Rendering failed: ${message.message}`);
}
