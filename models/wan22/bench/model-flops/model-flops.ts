// model-flops --model <model dir or model.json> [--width W --height H --frames N --steps S --no-cfg --tflops T]
// Parameters per component, FLOPs per denoising step and per video, and the resulting lower bound
// in seconds on a GPU with the given peak TFLOP/s (dense fp16/bf16 tensor throughput).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WAN22_TI2V_5B, type DitConfig } from '../../src/dit/dit-config.ts';
import { WAN_TI2V_DEFAULTS, parseModelManifest } from '../../src/manifest/model-manifest.ts';
import { UMT5_XXL, type T5Config } from '../../src/t5/t5-config.ts';
import { WAN22_VAE_CONFIG, type WanVaeConfig } from '../../src/vae/vae-config.ts';
import { flopReport } from './flops.ts';

const usage =
  'usage: model-flops (--model <model dir | model.json> | --preset ti2v-5b) [--width 1280] [--height 704] [--frames 121] [--steps 50] [--no-cfg] [--tflops 989]';

interface ModelShape {
  readonly name: string;
  readonly t5: T5Config;
  readonly dit: DitConfig;
  readonly vae: WanVaeConfig;
  readonly defaults: { width: number; height: number; frames: number; steps: number };
}

async function loadShape(model: string | undefined, preset: string | undefined): Promise<ModelShape> {
  if (preset !== undefined) {
    if (preset !== 'ti2v-5b') throw new Error(`unknown --preset "${preset}" (known: ti2v-5b)`);
    return {
      name: 'wan2.2-ti2v-5b (built-in config)',
      t5: UMT5_XXL,
      dit: WAN22_TI2V_5B,
      vae: WAN22_VAE_CONFIG,
      defaults: WAN_TI2V_DEFAULTS,
    };
  }
  const path = (await stat(model as string)).isDirectory()
    ? join(model as string, 'model.json')
    : (model as string);
  const manifest = parseModelManifest(JSON.parse(await readFile(path, 'utf8')), path);
  return {
    name: `${manifest.name} (${manifest.precision}, ${manifest.target})`,
    t5: manifest.components.textEncoder.config as unknown as T5Config,
    dit: manifest.components.dit.config as unknown as DitConfig,
    vae: manifest.components.vaeDecoder.config as unknown as WanVaeConfig,
    defaults: manifest.defaults,
  };
}

const params = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} B` : `${(n / 1e6).toFixed(2)} M`);

const si = (n: number, unit: string): string => {
  const prefixes: [number, string][] = [
    [1e15, 'P'],
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
  ];
  for (const [scale, p] of prefixes) if (n >= scale) return `${(n / scale).toFixed(2)} ${p}${unit}`;
  return `${n.toFixed(0)} ${unit}`;
};

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      preset: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      frames: { type: 'string' },
      steps: { type: 'string' },
      'no-cfg': { type: 'boolean' },
      tflops: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || (!values.model && !values.preset)) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const model = await loadShape(values.model, values.preset);
  const num = (v: string | undefined, fallback: number, name: string): number => {
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  const d = model.defaults;
  const size = {
    width: num(values.width, d.width, 'width'),
    height: num(values.height, d.height, 'height'),
    frames: num(values.frames, d.frames, 'frames'),
  };
  const steps = num(values.steps, d.steps, 'steps');
  const peakTflops = num(values.tflops, 989, 'tflops');
  const cfg = !values['no-cfg'];
  const r = flopReport(model.t5, model.dit, model.vae, { size, steps, cfg, peakTflops });
  const s = r.shape;
  console.log(`model ${model.name}`);
  console.log('parameters');
  console.log(`  text encoder (umT5)   ${params(r.parameters.textEncoder)}`);
  console.log(`  DiT                   ${params(r.parameters.dit)}`);
  console.log(`  VAE                   ${params(r.parameters.vae)}`);
  console.log(
    `video ${size.width}x${size.height}, ${size.frames} frames -> latent ${s.latentFrames}x${s.latentHeight}x${s.latentWidth}, ${s.tokens} tokens`,
  );
  console.log(`DiT per call            ${si(r.ditPerCall, 'FLOP')}`);
  console.log(`DiT per step${cfg ? ' (CFG x2)' : '         '}   ${si(r.ditPerStep, 'FLOP')}`);
  console.log(`DiT per video (${steps} steps) ${si(r.ditPerVideo, 'FLOP')}`);
  console.log(`text encoder            ${si(r.textEncoder, 'FLOP')}`);
  console.log(`VAE decode              ${si(r.vaeDecode, 'FLOP')}`);
  console.log(`total per video         ${si(r.totalPerVideo, 'FLOP')}`);
  console.log(`lower bound at ${peakTflops} TFLOP/s: ${r.lowerBoundSeconds.toFixed(1)} s`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`model-flops: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
