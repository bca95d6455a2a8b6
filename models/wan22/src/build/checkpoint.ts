import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SafetensorsWeights, type WeightStore } from '../onnx/weights.ts';

/** The files of an official Wan2.2-TI2V-5B download (Hugging Face / ModelScope layout). */
export interface OfficialCheckpoint {
  readonly ditConfig: Record<string, unknown>;
  readonly ditShards: readonly string[];
  readonly t5: string;
  readonly vae: string;
  readonly tokenizerDir: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function firstExisting(dir: string, names: readonly string[], what: string): Promise<string> {
  for (const name of names) {
    if (await exists(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${dir} has no ${what} (looked for ${names.join(', ')})`);
}

export async function locateOfficialCheckpoint(dir: string): Promise<OfficialCheckpoint> {
  const listing = await readdir(dir).catch(() => {
    throw new Error(`--from ${dir}: not a readable directory`);
  });
  const ditShards = listing.filter((n) => /^diffusion_pytorch_model.*\.safetensors$/.test(n)).sort();
  if (ditShards.length === 0) throw new Error(`${dir} has no diffusion_pytorch_model*.safetensors (the DiT)`);
  const configPath = await firstExisting(dir, ['config.json'], 'DiT config.json');
  return {
    ditConfig: JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>,
    ditShards: ditShards.map((n) => join(dir, n)),
    t5: await firstExisting(
      dir,
      ['models_t5_umt5-xxl-enc-bf16.safetensors', 'models_t5_umt5-xxl-enc-bf16.pth'],
      'umT5 encoder checkpoint',
    ),
    vae: await firstExisting(dir, ['Wan2.2_VAE.safetensors', 'Wan2.2_VAE.pth'], 'Wan2.2 VAE checkpoint'),
    tokenizerDir: await firstExisting(dir, ['google/umt5-xxl', 'tokenizer'], 'umT5 tokenizer directory'),
  };
}

/** Opens .safetensors or PyTorch .pth (zip) checkpoints as one weight store. */
export async function openCheckpoint(
  paths: readonly string[],
): Promise<WeightStore & { close(): Promise<void> }> {
  if (paths.every((p) => p.endsWith('.safetensors'))) return SafetensorsWeights.open(paths);
  const { PthWeights } = await import('../torch/pth-weights.ts');
  if (paths.length !== 1) throw new Error('only one .pth file per component is supported');
  return PthWeights.open(paths[0]);
}
