// bench/gpu: what the built-in onnx engine costs on this GPU, without a checkpoint. Builds the
// real-shape graphs with random weights (umT5-XXL, the 30-layer DiT, the VAE decoder), then times
// umT5 over a 512-token prompt, one DiT call at 27,280 tokens (1280x704x121), and the whole
// VAE decode of the 31-frame latent; samples GPU memory (nvidia-smi) through each phase; and
// prints per-video estimates and their ratio to the FLOP floor for the quality, balanced and fast
// presets. See bench/gpu/README.md.
//
//   node --conditions=@cineweave/source bench/gpu/gpu.ts [--dir /scratch/cw-gpu] [--tflops 989]
//        [--device cuda|cpu] [--calls 3] [--attention auto|flash|cudnn] [--dry-run]
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultVaeFramesPerCall } from '../../models/wan22/src/build/build-model.ts';
import { LazyRandomWeights } from '../../models/wan22/src/build/lazy-random-weights.ts';
import {
  ditParameterShapes,
  t5ParameterShapes,
  vaeParameterShapes,
} from '../../models/wan22/src/build/parameter-shapes.ts';
import { TINY_DIT, TINY_T5, TINY_VAE } from '../../models/wan22/src/build/tiny-model.ts';
import { WAN22_TI2V_5B, type DitConfig } from '../../models/wan22/src/dit/dit-config.ts';
import { buildDitGraph } from '../../models/wan22/src/dit/dit-graph.ts';
import { saveModel } from '../../models/wan22/src/onnx/model-writer.ts';
import { f32, i64, runSession, type OrtSession } from '../../models/wan22/src/onnx/session.ts';
import { sessionOptionsFor } from '../../models/wan22/src/runtime/session-options.ts';
import ort from 'onnxruntime-node';
import { seededNoise } from '../../models/wan22/src/pipeline/seeded-noise.ts';
import { DEFAULT_STEP_CACHE } from '../../models/wan22/src/pipeline/step-cache.ts';
import { UMT5_XXL, type T5Config } from '../../models/wan22/src/t5/t5-config.ts';
import { buildT5EncoderGraph } from '../../models/wan22/src/t5/t5-encoder-graph.ts';
import { StreamingSession } from '../../models/wan22/src/vae/streaming-session.ts';
import { WanVaeDecoder } from '../../models/wan22/src/vae/vae-codec.ts';
import { WAN22_VAE_CONFIG, type WanVaeConfig } from '../../models/wan22/src/vae/vae-config.ts';
import { buildVaeDecoderGraph } from '../../models/wan22/src/vae/vae-decoder-graph.ts';
import { wan22LatentStats } from '../../models/wan22/src/vae/vae-latent-stats.ts';
import { flopReport } from '../../models/wan22/bench/model-flops/flops.ts';
import {
  onnxruntimeAttentionEnv,
  type AttentionBackend,
} from '../../services/gpu-worker/src/engines/onnx/attention-backend.ts';

const { values } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    dir: { type: 'string' },
    device: { type: 'string' },
    'cuda-device': { type: 'string', default: '0' },
    tflops: { type: 'string', default: '989' },
    calls: { type: 'string', default: '3' },
    attention: { type: 'string', default: 'auto' },
    keep: { type: 'boolean', default: false },
  },
});

const dryRun = values['dry-run'];
const device = (values.device ?? (dryRun ? 'cpu' : 'cuda')) as 'cuda' | 'cpu';
const cudaDevice = Number(values['cuda-device']);
const calls = Number(values.calls);
const peakTflops = Number(values.tflops);
if (device !== 'cuda' && device !== 'cpu') throw new Error(`--device must be cuda or cpu, not ${device}`);
if (!['auto', 'flash', 'cudnn'].includes(values.attention))
  throw new Error('--attention must be auto, flash or cudnn');
Object.assign(process.env, onnxruntimeAttentionEnv(values.attention as AttentionBackend));

// --dry-run: the same phases at tiny size on CPU, so that CI keeps this script working.
const t5: T5Config = dryRun ? TINY_T5 : UMT5_XXL;
const dit: DitConfig = dryRun ? TINY_DIT : WAN22_TI2V_5B;
const vae: WanVaeConfig = dryRun ? TINY_VAE : WAN22_VAE_CONFIG;
const size = dryRun ? { width: 128, height: 128, frames: 9 } : { width: 1280, height: 704, frames: 121 };
const latent = [48, (size.frames - 1) / 4 + 1, size.height / 16, size.width / 16] as const;
const tokens = (latent[1] * latent[2] * latent[3]) / 4;
const fp16 = device === 'cuda';
const framesPerCall = defaultVaeFramesPerCall(device);
// The worker's own session options (CUDA provider on the chosen GPU, graph optimisation).
const open = (file: string): Promise<OrtSession> =>
  ort.InferenceSession.create(join(dir, file), sessionOptionsFor(device, cudaDevice));

/** Peak GPU memory (MiB) over a phase, from nvidia-smi every 200 ms; null without nvidia-smi. */
class GpuMemory {
  private peak = 0;
  private timer: NodeJS.Timeout | null = null;
  private available = device === 'cuda';

  private read(): number | null {
    if (!this.available) return null;
    try {
      const out = execFileSync(
        'nvidia-smi',
        ['--query-gpu=memory.used', '--format=csv,noheader,nounits', '-i', String(cudaDevice)],
        { encoding: 'utf8' },
      );
      return Number(out.trim());
    } catch {
      this.available = false;
      return null;
    }
  }

  start(): void {
    this.peak = this.read() ?? 0;
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, this.read() ?? 0)), 200);
  }

  stop(): string {
    if (this.timer) clearInterval(this.timer);
    const last = this.read();
    if (last === null) return 'n/a (no nvidia-smi)';
    return `${(Math.max(this.peak, last) / 1024).toFixed(1)} GiB`;
  }
}

const gpu = new GpuMemory();
const phases: { phase: string; seconds: number; gpu: string; rss: string }[] = [];
async function phase<T>(name: string, run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  gpu.start();
  const started = performance.now();
  const value = await run();
  const seconds = (performance.now() - started) / 1000;
  phases.push({
    phase: name,
    seconds,
    gpu: gpu.stop(),
    rss: `${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(1)} GiB`,
  });
  return { value, seconds };
}

const dir = values.dir ?? (await mkdtemp(join(tmpdir(), 'cw-bench-gpu-')));
await mkdir(dir, { recursive: true });
console.log(
  `${dryRun ? 'DRY RUN (tiny configs, CPU) ' : ''}bench/gpu: ${size.width}x${size.height}x${size.frames}, latent [${latent.join(', ')}], ${tokens} tokens, ${device}${fp16 ? ' fp16' : ' fp32'}, attention ${values.attention}, graphs in ${dir}`,
);

try {
  const dtype = fp16 ? 'float16' : 'float32';
  await phase('build graphs (random weights)', async () => {
    await saveModel(
      buildT5EncoderGraph(t5, new LazyRandomWeights(t5ParameterShapes(t5), 1), { dtype }),
      join(dir, 't5.onnx'),
    );
    await saveModel(
      buildDitGraph(dit, new LazyRandomWeights(ditParameterShapes(dit), 2), {
        dtype,
        fusedAttention: device === 'cuda',
      }),
      join(dir, 'dit.onnx'),
    );
    const decoder = await buildVaeDecoderGraph(
      vae,
      new LazyRandomWeights(vaeParameterShapes(vae), 3),
      wan22LatentStats(),
      {
        precision: 'float32',
        framesPerCall,
      },
    );
    await saveModel(decoder.graph, join(dir, 'vae_decoder.onnx'));
  });

  const promptTokens = 512;
  const t5Time = await phase(`umT5, ${promptTokens} tokens`, async () => {
    const session = await open('t5.onnx');
    const ids = BigInt64Array.from({ length: promptTokens }, (_, i) => BigInt((i * 7919) % t5.vocabSize));
    const mask = new BigInt64Array(promptTokens).fill(1n);
    const feeds = { ids: i64([1, promptTokens], ids), mask: i64([1, promptTokens], mask) };
    await runSession(session, feeds); // warm-up: kernels and allocations
    const started = performance.now();
    await runSession(session, feeds);
    await session.release();
    return (performance.now() - started) / 1000;
  });

  const ditTime = await phase(`DiT, ${tokens} tokens x ${calls} calls`, async () => {
    const session: OrtSession = await open('dit.onnx');
    const feeds = {
      x: f32(
        latent,
        seededNoise(
          1,
          latent.reduce((a, b) => a * b, 1),
        ),
      ),
      t: f32([tokens], new Float32Array(tokens).fill(500)),
      context: f32([promptTokens, dit.textDim], seededNoise(2, promptTokens * dit.textDim)),
    };
    await runSession(session, feeds); // warm-up
    const started = performance.now();
    for (let i = 0; i < calls; i++) await runSession(session, feeds);
    await session.release();
    return (performance.now() - started) / 1000 / calls;
  });

  const vaeTime = await phase(
    `VAE decode, ${latent[1]} latent frames (${framesPerCall} per call)`,
    async () => {
      const session = await open('vae_decoder.onnx');
      const decoder = new WanVaeDecoder(new StreamingSession(session));
      const z = {
        data: seededNoise(
          3,
          latent.reduce((a, b) => a * b, 1),
        ),
        dims: latent,
      };
      const started = performance.now();
      let frames = 0;
      for await (const chunk of decoder.chunks(z)) frames += chunk.video.dims[1];
      await session.release();
      if (frames !== size.frames) throw new Error(`decoded ${frames} frames, expected ${size.frames}`);
      return (performance.now() - started) / 1000;
    },
  );

  console.log('\n| phase | seconds | GPU memory peak | process peak RSS |');
  console.log('| --- | --- | --- | --- |');
  for (const p of phases) console.log(`| ${p.phase} | ${p.seconds.toFixed(2)} | ${p.gpu} | ${p.rss} |`);

  const call = ditTime.value;
  const decode = vaeTime.value;
  const encode = t5Time.value;
  // balanced: the share of DiT calls the default threshold skipped on the tiny reference pipeline
  // (models/wan22 README): random weights here say nothing about a trained model's predictions.
  const balancedShare = 0.78;
  const presets = [
    {
      name: 'quality',
      calls: 100,
      encodes: 2,
      floor: flopReport(t5, dit, vae, { size, steps: 50, cfg: true, peakTflops }),
    },
    {
      name: 'balanced',
      calls: 100 * balancedShare,
      encodes: 2,
      floor: flopReport(t5, dit, vae, { size, steps: 50 * balancedShare, cfg: true, peakTflops }),
    },
    {
      name: 'fast',
      calls: 3,
      encodes: 1,
      floor: flopReport(t5, dit, vae, { size, steps: 3, cfg: false, peakTflops }),
    },
  ];
  console.log(
    `\nper video (DiT calls x ${call.toFixed(3)} s + umT5 + VAE decode; FLOP floor at ${peakTflops} TFLOP/s):`,
  );
  console.log('| preset | DiT calls | estimated s | FLOP floor s | ratio to floor |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const p of presets) {
    const seconds = p.calls * call + p.encodes * encode + decode;
    console.log(
      `| ${p.name} | ${p.calls} | ${seconds.toFixed(1)} | ${p.floor.lowerBoundSeconds.toFixed(2)} | ${(seconds / p.floor.lowerBoundSeconds).toFixed(1)}x |`,
    );
  }
  console.log(
    `(balanced assumes ${Math.round((1 - balancedShare) * 100)}% of the DiT calls skipped at threshold ${DEFAULT_STEP_CACHE.threshold}, as on the tiny reference pipeline; the host loop's time per step (bench/worker-step) is not included)`,
  );
} finally {
  if (!values.keep && !values.dir) await rm(dir, { recursive: true, force: true });
}
