// build-model --from <official Wan2.2-TI2V-5B dir> --out <model dir> [--precision fp16|fp32] [--target cuda|cpu]
// build-model --tiny --out <model dir> [--precision ...] [--target ...] [--seed N]
// Writes text_encoder.onnx, dit.onnx, vae_encoder.onnx, vae_decoder.onnx (+ .data beside big ones),
// tokenizer/ and model.json (files with sha256, dims, sampling defaults).
import { parseArgs } from 'node:util';
import { buildModel, defaultVaeFramesPerCall, type Precision, type Target } from '../build/build-model.ts';
import { DISTILLED_RECIPES, isDistilledRecipe } from '../build/distilled-recipes.ts';

const usage = `usage: build-model (--from <dir with the official Wan2.2-TI2V-5B files> | --tiny) --out <model dir>
                   [--precision fp16|fp32] [--target cuda|cpu] [--seed N]
                   [--vae-precision fp32|fp16] [--vae-frames-per-call N]
                   [--distilled ${Object.keys(DISTILLED_RECIPES).join('|')} --dit-from <diffusers transformer/ dir>]
  defaults: --target cuda with --from, cpu with --tiny; --precision fp16 on cuda, fp32 on cpu;
            --vae-precision fp32 (the official VAE precision); --vae-frames-per-call ${defaultVaeFramesPerCall('cuda')} on cuda, ${defaultVaeFramesPerCall('cpu')} on cpu`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      out: { type: 'string' },
      tiny: { type: 'boolean' },
      precision: { type: 'string' },
      target: { type: 'string' },
      seed: { type: 'string' },
      'vae-precision': { type: 'string' },
      'vae-frames-per-call': { type: 'string' },
      distilled: { type: 'string' },
      'dit-from': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const problems: string[] = [];
  if (!values.out) problems.push('--out is required');
  if (Boolean(values.from) === Boolean(values.tiny))
    problems.push('give exactly one of --from <dir> or --tiny');
  const target = (values.target ?? (values.tiny ? 'cpu' : 'cuda')) as Target;
  if (target !== 'cuda' && target !== 'cpu')
    problems.push(`--target must be cuda or cpu, not "${values.target}"`);
  const precision = (values.precision ?? (target === 'cuda' ? 'fp16' : 'fp32')) as Precision;
  if (precision !== 'fp16' && precision !== 'fp32')
    problems.push(`--precision must be fp16 or fp32, not "${values.precision}"`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) problems.push('--seed must be an integer');
  const vaePrecision = (values['vae-precision'] ?? 'fp32') as Precision;
  if (vaePrecision !== 'fp16' && vaePrecision !== 'fp32')
    problems.push(`--vae-precision must be fp16 or fp32, not "${values['vae-precision']}"`);
  const vaeFramesPerCall = Number(values['vae-frames-per-call'] ?? defaultVaeFramesPerCall(target));
  if (!Number.isInteger(vaeFramesPerCall) || vaeFramesPerCall < 1 || vaeFramesPerCall > 64)
    problems.push(
      `--vae-frames-per-call must be a whole number from 1 to 64, not "${values['vae-frames-per-call']}"`,
    );
  const distilled = values.distilled;
  if (distilled !== undefined && !isDistilledRecipe(distilled))
    problems.push(
      `--distilled must be one of ${Object.keys(DISTILLED_RECIPES).join(', ')}, not "${distilled}"`,
    );
  if ((distilled === undefined) !== (values['dit-from'] === undefined))
    problems.push(
      '--distilled and --dit-from go together (the distilled DiT, with the official umT5 and VAE of --from)',
    );
  if (distilled !== undefined && !values.from)
    problems.push('--distilled needs --from (the official umT5, VAE and tokenizer)');
  if (problems.length) {
    console.error(`${problems.join('\n')}\n${usage}`);
    return 2;
  }
  const out = values.out as string;
  const started = performance.now();
  const manifest = await buildModel({
    out,
    precision,
    target,
    vaePrecision,
    vaeFramesPerCall,
    source: values.from
      ? {
          kind: 'official',
          dir: values.from,
          distilled:
            distilled !== undefined && isDistilledRecipe(distilled)
              ? { recipe: distilled, ditDir: values['dit-from'] as string }
              : undefined,
        }
      : { kind: 'tiny', seed },
    log: (m) => console.log(`building ${m}`),
  });
  const files = Object.values(manifest.components).flatMap((c) => c.files);
  const bytes = files.reduce((a, f) => a + f.bytes, 0);
  console.log(
    `wrote ${manifest.name} (${precision}, ${target}) to ${out}: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`build-model: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
