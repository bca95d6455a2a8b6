import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SafetensorsWeights } from '../onnx/weights.ts';
import { maxAbsDiff } from '../reference/compare.ts';
import { SafetensorsFile } from '../safetensors/index.ts';
import { WAN22_VAE_TINY_CONFIG } from './vae-config.ts';
import { wan22LatentStats } from './vae-latent-stats.ts';
import { openVaeModels, saveVaeModels } from './save-vae.ts';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/wan22/', import.meta.url));

// Builds ONNX graphs and runs them: give them room on a loaded CI machine.
describe(saveVaeModels.name, { timeout: 120_000 }, () => {
  it('should write graphs that decode like the official VAE when opened from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vae-save-'));
    const weights = await SafetensorsWeights.open([join(fixtures, 'vae-tiny.safetensors')]);
    try {
      const saved = await saveVaeModels(dir, WAN22_VAE_TINY_CONFIG, weights, wan22LatentStats());
      expect(saved.decoderCaches).toBe(32);
      expect(saved.encoderCaches).toBe(24);
      const vae = await openVaeModels(dir, 48);
      await using cases = await SafetensorsFile.open(join(fixtures, 'vae-tiny-cases.safetensors'));
      const video = await vae.decoder.decode({
        data: await cases.readFloat32('decode.in'),
        dims: [48, 2, 2, 2],
      });
      expect(maxAbsDiff(video.data, await cases.readFloat32('decode.out'))).toBeLessThan(3e-5);
    } finally {
      await weights.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
