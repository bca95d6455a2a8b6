import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelManifest, type ModelManifest } from '../manifest/model-manifest.ts';
import { createSession, f32, i64, runSession, type OrtSession } from '../onnx/session.ts';
import { trimContext } from '../t5/t5-context.ts';
import { SeededNormal } from './random.ts';

export interface CompareModelsOptions {
  readonly reference: string;
  readonly candidate: string;
  readonly referenceProvider: 'cpu' | 'cuda';
  readonly candidateProvider: 'cpu' | 'cuda';
  /** Latent frames, height and width of the DiT probe (small: the fp32 reference may run on CPU). */
  readonly latent: readonly [number, number, number];
  /** Allowed max abs error as a fraction of the reference output's largest magnitude. */
  readonly relativeTolerance: number;
  readonly onLine?: (line: CompareLine) => void;
}

export interface CompareLine {
  readonly name: string;
  readonly maxAbsError: number;
  readonly tolerance: number;
  readonly passed: boolean;
}

async function loadManifest(dir: string): Promise<ModelManifest> {
  const path = join(dir, 'model.json');
  return parseModelManifest(JSON.parse(await readFile(path, 'utf8')), path);
}

function compare(name: string, got: Float32Array, ref: Float32Array, relative: number): CompareLine {
  let max = 0;
  let refMax = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    if (!(d <= max)) max = d; // NaN sticks
    refMax = Math.max(refMax, Math.abs(ref[i]));
  }
  const tolerance = relative * refMax;
  return { name, maxAbsError: max, tolerance, passed: Number.isFinite(max) && max <= tolerance };
}

/**
 * Runs two builds of the same checkpoint (e.g. fp32 on CPU and fp16 for CUDA) on the same
 * deterministic probe inputs - a prompt's worth of token ids through the text encoder, then the
 * DiT on a small latent with i2v-style per-token timesteps and that context - and compares them.
 * This is the check of the real weights in half precision that the tiny reference cannot give.
 */
export async function compareModels(options: CompareModelsOptions): Promise<CompareLine[]> {
  const [ref, cand] = [await loadManifest(options.reference), await loadManifest(options.candidate)];
  if (JSON.stringify(ref.components.dit.config) !== JSON.stringify(cand.components.dit.config)) {
    throw new Error(
      'the two model directories hold different DiT configs: build both from the same checkpoint',
    );
  }
  const open = (dir: string, file: string, provider: 'cpu' | 'cuda'): Promise<OrtSession> =>
    createSession(join(dir, file), { executionProviders: [provider] });
  const lines: CompareLine[] = [];
  const emit = (line: CompareLine): void => {
    lines.push(line);
    options.onLine?.(line);
  };
  const rng = new SeededNormal(20250801);
  const textLen = ref.dims.textLen;
  const vocab = Number((ref.components.textEncoder.config as { vocabSize?: number }).vocabSize ?? 1000);
  const ids = new BigInt64Array(textLen);
  const mask = new BigInt64Array(textLen);
  const real = Math.min(24, textLen);
  for (let i = 0; i < real; i++) {
    ids[i] = i === real - 1 ? 1n : BigInt(2 + Math.floor(rng.uniform() * (vocab - 2)));
    mask[i] = 1n;
  }
  const encode = async (dir: string, m: ModelManifest, provider: 'cpu' | 'cuda'): Promise<Float32Array> => {
    const session = await open(dir, m.components.textEncoder.model, provider);
    const out = await runSession(session, { ids: i64([1, textLen], ids), mask: i64([1, textLen], mask) });
    await session.release();
    return trimContext(out['out'].data as Float32Array, m.dims.textDim, mask);
  };
  const refContext = await encode(options.reference, ref, options.referenceProvider);
  const candContext = await encode(options.candidate, cand, options.candidateProvider);
  emit(compare('text_encoder.context', candContext, refContext, options.relativeTolerance));

  const [frames, height, width] = options.latent;
  const [pt, ph, pw] = ref.dims.patchSize;
  const zDim = ref.dims.zDim;
  const x = rng.fill(zDim * frames * height * width, 0, 1);
  const perFrame = (height / ph) * (width / pw);
  const tokens = (frames / pt) * perFrame;
  const t = new Float32Array(tokens).fill(937);
  t.fill(0, 0, perFrame); // image-to-video: frame-0 tokens at timestep 0
  const denoise = async (dir: string, m: ModelManifest, provider: 'cpu' | 'cuda'): Promise<Float32Array> => {
    const session = await open(dir, m.components.dit.model, provider);
    const out = await runSession(session, {
      x: f32([zDim, frames, height, width], x),
      t: f32([tokens], t),
      // Both DiTs get the reference context, so this line measures the DiT alone.
      context: f32([refContext.length / ref.dims.textDim, ref.dims.textDim], refContext),
    });
    await session.release();
    return out['out'].data as Float32Array;
  };
  const refOut = await denoise(options.reference, ref, options.referenceProvider);
  const candOut = await denoise(options.candidate, cand, options.candidateProvider);
  emit(compare('dit.out', candOut, refOut, options.relativeTolerance));
  return lines;
}
