// Writes an official-named DiT checkpoint out in the diffusers layout (transformer/ folder:
// config.json + diffusion_pytorch_model.safetensors), as FastVideo's releases ship theirs.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diffusersConfigFromOfficial, diffusersDitName } from '../../src/build/diffusers-dit.ts';
import { SafetensorsFile } from '../../src/safetensors/safetensors-file.ts';
import { writeSafetensors, type SafetensorsWriteTensor } from '../../src/safetensors/safetensors-writer.ts';

export async function writeDiffusersDit(
  officialFiles: readonly string[],
  officialConfig: Record<string, unknown>,
  out: string,
  extra: Record<string, SafetensorsWriteTensor> = {},
): Promise<void> {
  await mkdir(out, { recursive: true });
  const tensors: Record<string, SafetensorsWriteTensor> = {};
  for (const path of officialFiles) {
    await using file = await SafetensorsFile.open(path);
    for (const name of file.names) {
      const target = diffusersDitName(name);
      if (!target) throw new Error(`no diffusers name for ${name}`);
      const info = file.get(name);
      tensors[target] = { dtype: 'F32', shape: info.shape, data: await file.readFloat32(name) };
    }
  }
  await writeSafetensors(join(out, 'diffusion_pytorch_model.safetensors'), { ...tensors, ...extra });
  await writeFile(join(out, 'config.json'), JSON.stringify(diffusersConfigFromOfficial(officialConfig)));
}
