// bench/worker-step: a tiny-but-not-trivial DiT (8 layers, latent 48x8x16x16) through the
// worker's denoising loop (CFG, UniPC) on CPU; prints ms per step and the share of step wall
// time spent inside onnxruntime's run (target >= 95%: the JavaScript around it must not matter).
// Then the real-size case: the host side of a step at latent 48x31x44x80 (1280x704x121) with a
// stand-in model call, before issue 18 and now, in CPU milliseconds per step (target <= 80).
//
//   node --conditions=@cineweave/source bench/worker-step/worker-step.ts [--layers 8] [--steps 10]
//        [--real-steps 6] [--only real]
import { parseArgs } from 'node:util';
import { randomWeights, TINY_DIT } from '../../models/wan22/src/build/tiny-model.ts';
import { ditParameterShapes } from '../../models/wan22/src/build/parameter-shapes.ts';
import { buildDitGraph } from '../../models/wan22/src/dit/dit-graph.ts';
import { encodeModel } from '../../models/wan22/src/onnx/model-writer.ts';
import { createSession } from '../../models/wan22/src/onnx/session.ts';
import { DenoisingLoop } from '../../models/wan22/src/pipeline/denoising-loop.ts';
import type { FlowModel, FlowModelInput, LatentDims } from '../../models/wan22/src/pipeline/flow-model.ts';
import { OnnxFlowModel } from '../../models/wan22/src/pipeline/onnx-flow-model.ts';
import { createScheduler } from '../../models/wan22/src/scheduler/create-scheduler.ts';
import { seededNoise } from '../../models/wan22/src/pipeline/seeded-noise.ts';
import { identicalBits, REAL_LATENT, runCurrent, runPre18 } from './host-loop.ts';

const { values } = parseArgs({
  options: {
    layers: { type: 'string', default: '8' },
    steps: { type: 'string', default: '10' },
    frames: { type: 'string', default: '8' },
    size: { type: 'string', default: '16' },
    'real-steps': { type: 'string', default: '6' },
    only: { type: 'string' },
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

if (values.only !== 'real') await tinyDitCase();
await realSizeCase(Number(values['real-steps']));

async function tinyDitCase(): Promise<void> {
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
}

async function realSizeCase(realSteps: number): Promise<void> {
  // Warm both paths up on a few steps first (JIT), then time them, old first then new.
  await runPre18(REAL_LATENT, 2);
  await runCurrent(REAL_LATENT, 2);
  const before = await runPre18(REAL_LATENT, realSteps);
  const after = await runCurrent(REAL_LATENT, realSteps);
  console.log(
    `host loop at latent [${REAL_LATENT.join(', ')}] (i2v, CFG 5, UniPC, stand-in model), ${realSteps} steps:`,
  );
  console.log(`  before issue 18: ${before.hostMsPerStep.toFixed(1)} ms CPU per step`);
  console.log(`  now:             ${after.hostMsPerStep.toFixed(1)} ms CPU per step (target <= 80)`);
  console.log(`  same final latent bit for bit: ${identicalBits(before.final, after.final) ? 'yes' : 'NO'}`);
}
