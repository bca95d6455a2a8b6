// The render thread: onnxruntime-node runs a session synchronously on the thread that calls it,
// so inference lives here and the main thread stays free for the queue (lock renewals, cancel
// checks) and the health server (Kubernetes probes) during steps that take minutes.
import { parentPort, workerData } from 'node:worker_threads';
import {
  InvalidRenderInput,
  Wan22Renderer,
  type DecodedVideo,
  type StageTimer,
  type Wan22Stage,
} from '@cineweave/wan22';
import { JobStopped } from '../../engine/engine.ts';
import type { FromRenderThread, RenderThreadOptions, ToRenderThread } from './render-thread-protocol.ts';

if (!parentPort) throw new Error('render-thread.ts runs as a worker thread');
const port = parentPort;
const post = (message: FromRenderThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

const stages: StageTimer = {
  async timeStage<T>(stage: Wan22Stage, run: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      post({ type: 'stage', stage, seconds: (performance.now() - started) / 1000 });
    }
  },
  startStage(stage: Wan22Stage) {
    const started = performance.now();
    return () => post({ type: 'stage', stage, seconds: (performance.now() - started) / 1000 });
  },
};

const options = workerData as RenderThreadOptions;
let renderer: Wan22Renderer;
try {
  renderer = await Wan22Renderer.load(options, stages);
  post({ type: 'loaded', modelName: renderer.modelName, modelHash: renderer.modelHash });
} catch (error) {
  post({ type: 'load-failed', message: (error as Error).message });
  process.exit(1);
}

let answerCheckpoint: ((stop: 'cancelled' | 'shutdown' | null) => void) | null = null;
let frames: AsyncIterator<Uint8Array> | null = null;

async function render(request: Extract<ToRenderThread, { type: 'render' }>['request']): Promise<void> {
  try {
    const video: DecodedVideo = await renderer.render(request, {
      onStep: (step, totalSteps) => post({ type: 'step', step, totalSteps }),
      checkpoint: async () => {
        const stop = await new Promise<'cancelled' | 'shutdown' | null>((resolve) => {
          answerCheckpoint = resolve;
          post({ type: 'checkpoint' });
        });
        if (stop) throw new JobStopped(stop);
      },
    });
    frames = (async function* () {
      yield* video.frames();
    })();
    post({
      type: 'sampled',
      width: video.width,
      height: video.height,
      frameCount: video.frameCount,
      sampling: video.sampling,
    });
  } catch (error) {
    post(failure(error));
  }
}

async function pull(maxFrames: number): Promise<void> {
  if (!frames)
    return post({ type: 'failed', kind: 'error', message: 'No rendered video to pull frames from' });
  const batch: ArrayBuffer[] = [];
  try {
    while (batch.length < maxFrames) {
      const next = await frames.next();
      if (next.done) {
        frames = null;
        return post({ type: 'frames', frames: batch, done: true }, batch);
      }
      const frame = next.value;
      // Transfer, not copy: an owned buffer of exactly the frame's bytes.
      batch.push(
        frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength
          ? (frame.buffer as ArrayBuffer)
          : frame.slice().buffer,
      );
    }
    post({ type: 'frames', frames: batch, done: false }, batch);
  } catch (error) {
    frames = null;
    post(failure(error));
  }
}

function failure(error: unknown): FromRenderThread {
  if (error instanceof JobStopped)
    return { type: 'failed', kind: 'stopped', why: error.why, message: error.message };
  if (error instanceof InvalidRenderInput)
    return { type: 'failed', kind: 'invalid-input', message: error.message };
  return {
    type: 'failed',
    kind: 'error',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
}

port.on('message', (message: ToRenderThread) => {
  switch (message.type) {
    case 'render':
      void render(message.request);
      break;
    case 'checkpoint-result':
      answerCheckpoint?.(message.stop);
      answerCheckpoint = null;
      break;
    case 'pull':
      void pull(message.maxFrames);
      break;
    case 'discard':
      void frames?.return?.(undefined);
      frames = null;
      break;
  }
});
