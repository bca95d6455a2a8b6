// bench/worker-step: a tiny-but-not-trivial DiT (8 layers, latent 48x8x16x16) through the
// worker's denoising loop (CFG, UniPC) on CPU; prints ms per step and the share of step wall
// time spent inside onnxruntime's run (target >= 95%: the JavaScript around it must not matter).
//
//   node --conditions=@cineweave/source bench/worker-step/worker-step.ts [--layers 8] [--steps 10]
import { parseArgs } from 'node:util';
import { randomWeights, TINY_DIT } from '../../services/gpu-worker/src/model/build/tiny-model.ts';
import { ditParameterShapes } from '../../services/gpu-worker/src/model/build/parameter-shapes.ts';
import { buildDitGraph } from '../../services/gpu-worker/src/model/dit/dit-graph.ts';
import { encodeModel } from '../../services/gpu-worker/src/model/onnx/model-writer.ts';
import { createSession } from '../../services/gpu-worker/src/model/onnx/session.ts';
import { DenoisingLoop } from '../../services/gpu-worker/src/model/pipeline/denoising-loop.ts';
import type {
  FlowModel,
  FlowModelInput,
  LatentDims,
} from '../../services/gpu-worker/src/model/pipeline/flow-model.ts';
import { OnnxFlowModel } from '../../services/gpu-worker/src/model/pipeline/onnx-flow-model.ts';
import { createScheduler } from '../../services/gpu-worker/src/model/scheduler/create-scheduler.ts';
import { seededNoise } from '../../services/gpu-worker/src/render/seeded-noise.ts';

const { values } = parseArgs({
  options: {
    layers: { type: 'string', default: '8' },
    steps: { type: 'string', default: '10' },
    frames: { type: 'string', default: '8' },
    size: { type: 'string', default: '16' },
  },
});
const layers = Number(values.layers);
const steps = Number(values.steps);
const latentDims: LatentDims = [48, Number(values.frames), Number(values.size), Number(values.size)];

/** Wraps the DiT and adds up the time its session.run calls take. */
class TimedFlowModel implements FlowModel {
  runMs = 0;
  private readonly inner: FlowModel;
  constructor(inner: FlowModel) {
    this.inner = inner;
  }
  async predict(input: FlowModelInput): Promise<Float32Array> {
    const started = performance.now();
    try {
      return await this.inner.predict(input);
    } finally {
      this.runMs += performance.now() - started;
    }
  }
}

const config = { ...TINY_DIT, numLayers: layers };
const session = await createSession(
  await encodeModel(
    buildDitGraph(config, randomWeights(ditParameterShapes(config), 7), {
      dtype: 'float32',
      fusedAttention: false,
    }),
  ),
);
const model = new TimedFlowModel(new OnnxFlowModel(session));
const context = (tokens: number, seed: number) => ({
  data: seededNoise(seed, tokens * config.textDim),
  tokens,
  dim: config.textDim,
});
const loop = () =>
  new DenoisingLoop({
    model,
    scheduler: createScheduler({ kind: 'unipc', steps, shift: 5 }),
    noise: seededNoise(
      1,
      latentDims.reduce((a, b) => a * b, 1),
    ),
    latentDims,
    context: context(24, 2),
    negativeContext: context(40, 3),
    guidanceScale: 5,
  });

await loop().run(); // warm-up: first runs allocate and plan
model.runMs = 0;
const started = performance.now();
await loop().run();
const totalMs = performance.now() - started;
const tokens = (latentDims[1] * latentDims[2] * latentDims[3]) / 4;
console.log(
  `DiT ${layers} layers, dim ${config.dim}, latent [${latentDims.join(', ')}] = ${tokens} tokens, ${steps} UniPC steps with CFG`,
);
console.log(`ms per step: ${(totalMs / steps).toFixed(1)} (two DiT runs each)`);
console.log(
  `inside onnxruntime run: ${((model.runMs / totalMs) * 100).toFixed(2)}% of step wall time (target >= 95%)`,
);
