// Child of model-fullsize: opens one graph of a built model directory on CPU (a process of its
// own, so that its peak RSS is its own) and, for the DiT, runs one denoising step of the loop at a
// small token count. Prints one JSON line.
//   node --conditions=@cineweave/source load-graph.ts <model dir> <textEncoder|dit|vaeEncoder|vaeDecoder>
import ort from 'onnxruntime-node';
import { openModelDirectory } from '../../models/wan22/src/runtime/model-directory.ts';
import { sessionOptionsFor } from '../../models/wan22/src/runtime/session-options.ts';
import { DenoisingLoop } from '../../models/wan22/src/pipeline/denoising-loop.ts';
import { OnnxFlowModel } from '../../models/wan22/src/pipeline/onnx-flow-model.ts';
import { seededNoise } from '../../models/wan22/src/pipeline/seeded-noise.ts';
import { createScheduler } from '../../models/wan22/src/scheduler/create-scheduler.ts';

const [modelDir, component] = process.argv.slice(2);
const model = await openModelDirectory(modelDir);
const name = component as keyof typeof model.manifest.components;
if (!model.manifest.components[name]) throw new Error(`no component ${component}`);
const started = performance.now();
const session = await ort.InferenceSession.create(
  model.path(model.manifest.components[name].model),
  sessionOptionsFor('cpu'),
);
const loadSeconds = (performance.now() - started) / 1000;
let stepSeconds: number | undefined;
if (name === 'dit') {
  // One step of the real loop (UniPC, CFG) on a 4-token latent: the plumbing at real width.
  const { textDim } = model.manifest.dims;
  const dims = [48, 1, 4, 4] as const;
  const context = (seed: number) => ({ data: seededNoise(seed, 8 * textDim), tokens: 8, dim: textDim });
  const stepStarted = performance.now();
  const out = await new DenoisingLoop({
    model: new OnnxFlowModel(session),
    scheduler: createScheduler({ kind: 'unipc', steps: 1, shift: 5 }),
    noise: seededNoise(1, 48 * 16),
    latentDims: dims,
    context: context(2),
    negativeContext: context(3),
    guidanceScale: 5,
  }).run();
  stepSeconds = (performance.now() - stepStarted) / 1000;
  if (!out.every(Number.isFinite)) throw new Error('the denoising step gave non-finite values');
}
await session.release();
console.log(JSON.stringify({ component, loadSeconds, stepSeconds }));
