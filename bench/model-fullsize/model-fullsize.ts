// bench/model-fullsize: a full-size rehearsal on CPU of what happens to the real checkpoint,
// without downloading it. Writes synthetic files in the official layout at real shapes — the DiT
// at real width but one layer (safetensors, bf16), the umT5-XXL encoder as a torch .pth over 4 GB
// (ZIP64, bf16), the VAE as a torch .pth (float32), a tokenizer — then runs build-model on them
// (--target cuda: fp16 graphs, as a GPU pool builds them), loads every graph on CPU, each in a
// process of its own, and runs one denoising step of the one-layer DiT at 4 tokens. Prints the time
// and peak RSS of each phase; build-model must stay under 4 GB of RSS (it streams the weights).
// Proves the plumbing at real size, not the numerics. Needs about 35 GB of disk and, to load the
// fp16 umT5 on CPU, a lot of RAM: --skip-load textEncoder leaves it out on a small machine.
//
//   node --conditions=@cineweave/source bench/model-fullsize/model-fullsize.ts --dir /scratch/cw-full
//        [--skip-load textEncoder] [--keep]
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ditParameterShapes,
  t5ParameterShapes,
  vaeParameterShapes,
} from '../../models/wan22/src/build/parameter-shapes.ts';
import { SeededNormal } from '../../models/wan22/src/build/random.ts';
import { WAN22_TI2V_5B } from '../../models/wan22/src/dit/dit-config.ts';
import { UMT5_XXL } from '../../models/wan22/src/t5/t5-config.ts';
import { tinyTokenizerJson } from '../../models/wan22/src/text/tiny-tokenizer.ts';
import { WAN22_VAE_CONFIG } from '../../models/wan22/src/vae/vae-config.ts';
import { writeTorchArchive, type ArchiveTensor } from './torch-archive.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    'skip-load': { type: 'string', multiple: true, default: [] },
    keep: { type: 'boolean', default: false },
  },
});
if (!values.dir) throw new Error('--dir <scratch directory with ~35 GB free> is required');
const root = values.dir;
const src = join(root, 'Wan2.2-TI2V-5B-synthetic');
const out = join(root, 'model');
const here = import.meta.dirname;
const modelsDir = join(here, '../../models/wan22');

// Random-looking values: 16 MB blocks of normal samples (scaled small, so the graphs stay
// finite), reused; what is checked here is shapes, layouts and memory, not the numbers.
const normals = new SeededNormal(7).fill(8 * 1024 * 1024, 0, 0.02);
const block = normals.subarray(0, 4 * 1024 * 1024);
const bf16Block = Uint16Array.from(new Uint32Array(normals.buffer), (b) => b >>> 16);
const fill = (dtype: 'BF16' | 'F32', bytes: number): Uint8Array => {
  const source = dtype === 'BF16' ? bf16Block : block;
  const view = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (bytes <= view.length) return view.subarray(0, bytes);
  throw new Error('chunks are at most 16 MB');
};
// Norm weights at 1 (a random norm scale near 0 would be a degenerate but harmless graph).
const isNorm = (name: string) => /norm\d?(_[qk])?\.weight$|\.gamma$|^norm\.weight$/.test(name);

interface PhaseResult {
  readonly phase: string;
  readonly seconds: number;
  readonly peakRssGb: number;
  readonly note?: string;
}
const results: PhaseResult[] = [];

/** Runs a child process to completion, sampling its peak RSS (VmHWM) from /proc. */
function child(args: string[]): Promise<{ stdout: string; peakRssGb: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = spawn(process.execPath, ['--conditions=@cineweave/source', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    const sample = async () => {
      const status = await readFile(`/proc/${proc.pid}/status`, 'utf8').catch(() => '');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    };
    const timer = setInterval(() => void sample(), 250);
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      else resolve({ stdout, peakRssGb: peakKb / 1024 / 1024, seconds });
    });
  });
}

async function writeSafetensorsStreaming(path: string, tensors: readonly ArchiveTensor[]): Promise<void> {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1) * (t.dtype === 'BF16' ? 2 : 4);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const handle = await open(path, 'w');
  try {
    const head = Buffer.alloc(8);
    head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
    await handle.write(Buffer.concat([head, Buffer.from(json)]));
    for (const t of tensors) {
      let left = t.shape.reduce((a, b) => a * b, 1) * (t.dtype === 'BF16' ? 2 : 4);
      while (left > 0) {
        const chunk = tensorBytes(t, Math.min(16 * 1024 * 1024, left));
        await handle.write(chunk);
        left -= chunk.length;
      }
    }
  } finally {
    await handle.close();
  }
}

function tensorBytes(t: ArchiveTensor, bytes: number): Uint8Array {
  if (!isNorm(t.name)) return fill(t.dtype, bytes);
  const ones =
    t.dtype === 'BF16' ? new Uint16Array(bytes / 2).fill(0x3f80) : new Float32Array(bytes / 4).fill(1);
  return new Uint8Array(ones.buffer);
}

const list = (shapes: Map<string, readonly number[]>, dtype: 'BF16' | 'F32'): ArchiveTensor[] =>
  [...shapes].map(([name, shape]) => ({ name, shape, dtype }));

const ditConfig = { ...WAN22_TI2V_5B, numLayers: 1 };
await mkdir(join(src, 'google', 'umt5-xxl'), { recursive: true });
{
  const started = performance.now();
  await writeSafetensorsStreaming(
    join(src, 'diffusion_pytorch_model.safetensors'),
    list(ditParameterShapes(ditConfig), 'BF16'),
  );
  const c = ditConfig;
  await writeFile(
    join(src, 'config.json'),
    JSON.stringify({
      _class_name: 'WanModel',
      model_type: 'ti2v',
      patch_size: c.patchSize,
      text_len: c.textLen,
      in_dim: c.inDim,
      dim: c.dim,
      ffn_dim: c.ffnDim,
      freq_dim: c.freqDim,
      text_dim: c.textDim,
      out_dim: c.outDim,
      num_heads: c.numHeads,
      num_layers: c.numLayers,
      window_size: [-1, -1],
      qk_norm: true,
      cross_attn_norm: true,
      eps: 1e-6,
    }),
  );
  const t5Bytes = await writeTorchArchive(
    join(src, 'models_t5_umt5-xxl-enc-bf16.pth'),
    list(t5ParameterShapes(UMT5_XXL), 'BF16'),
    tensorBytes,
    'models_t5_umt5-xxl-enc-bf16',
  );
  const vaeBytes = await writeTorchArchive(
    join(src, 'Wan2.2_VAE.pth'),
    list(vaeParameterShapes(WAN22_VAE_CONFIG), 'F32'),
    tensorBytes,
    'Wan2.2_VAE',
  );
  await writeFile(join(src, 'google', 'umt5-xxl', 'tokenizer.json'), JSON.stringify(tinyTokenizerJson(1000)));
  const ditBytes = (await stat(join(src, 'diffusion_pytorch_model.safetensors'))).size;
  results.push({
    phase: 'write the synthetic download',
    seconds: (performance.now() - started) / 1000,
    peakRssGb: process.resourceUsage().maxRSS / 1024 / 1024,
    note: `DiT (1 layer, real width) ${(ditBytes / 1e9).toFixed(2)} GB, umT5 .pth ${(t5Bytes / 1e9).toFixed(2)} GB (ZIP64), VAE .pth ${(vaeBytes / 1e9).toFixed(2)} GB`,
  });
}

try {
  const build = await child([
    join(modelsDir, 'src/cli/build-model.ts'),
    '--from',
    src,
    '--out',
    out,
    '--target',
    'cuda',
  ]);
  results.push({
    phase: 'build-model --target cuda (fp16)',
    seconds: build.seconds,
    peakRssGb: build.peakRssGb,
    note: build.peakRssGb < 4 ? 'under 4 GB: PASS' : 'over 4 GB: FAIL',
  });
  for (const component of ['vaeEncoder', 'vaeDecoder', 'dit', 'textEncoder']) {
    if (values['skip-load'].includes(component)) {
      results.push({
        phase: `load ${component}`,
        seconds: Number.NaN,
        peakRssGb: Number.NaN,
        note: 'skipped (--skip-load)',
      });
      continue;
    }
    const loaded = await child([join(here, 'load-graph.ts'), out, component]);
    const line = JSON.parse(loaded.stdout.trim().split('\n').pop() ?? '{}') as {
      loadSeconds: number;
      stepSeconds?: number;
    };
    results.push({
      phase: `load ${component}${line.stepSeconds !== undefined ? ' + one denoising step (4 tokens, CFG)' : ''}`,
      seconds: loaded.seconds,
      peakRssGb: loaded.peakRssGb,
      note: `session ${line.loadSeconds.toFixed(1)} s${line.stepSeconds !== undefined ? `, step ${line.stepSeconds.toFixed(2)} s` : ''}`,
    });
  }
} finally {
  console.log('| phase | seconds | peak RSS | note |');
  console.log('| --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.phase} | ${Number.isNaN(r.seconds) ? '-' : r.seconds.toFixed(1)} | ${Number.isNaN(r.peakRssGb) ? '-' : `${r.peakRssGb.toFixed(2)} GB`} | ${r.note ?? ''} |`,
    );
  }
  if (!values.keep) await rm(root, { recursive: true, force: true });
}
