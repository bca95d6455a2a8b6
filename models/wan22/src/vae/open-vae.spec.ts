import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveModel } from '../onnx/model-writer.ts';
import { SafetensorsWeights } from '../onnx/weights.ts';
import { maxAbsDiff } from '../reference/compare.ts';
import { SafetensorsFile } from '../safetensors/index.ts';
import { openVaeModels } from './open-vae.ts';
import { WAN22_VAE_TINY_CONFIG } from './vae-config.ts';
import { buildVaeDecoderGraph } from './vae-decoder-graph.ts';
import { buildVaeEncoderGraph } from './vae-encoder-graph.ts';
import { wan22LatentStats } from './vae-latent-stats.ts';

const fixtures = fileURLToPath(new URL('../../test/fixtures/wan22/', import.meta.url));

// Builds ONNX graphs and runs them: give them room on a loaded CI machine.
describe(openVaeModels.name, { timeout: 120_000 }, () => {
  it('should open saved graphs that decode like the official VAE, with external data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vae-open-'));
    const weights = await SafetensorsWeights.open([join(fixtures, 'vae-tiny.safetensors')]);
    try {
      const stats = wan22LatentStats();
      const files = { encoder: join(dir, 'vae_encoder.onnx'), decoder: join(dir, 'vae_decoder.onnx') };
      const encoder = await buildVaeEncoderGraph(WAN22_VAE_TINY_CONFIG, weights, stats);
      await saveModel(encoder.graph, files.encoder);
      const decoder = await buildVaeDecoderGraph(WAN22_VAE_TINY_CONFIG, weights, stats, { framesPerCall: 2 });
      const saved = await saveModel(decoder.graph, files.decoder, { externalThresholdBytes: 4096 });
      expect(saved.externalBytes).toBeGreaterThan(0);

      const vae = await openVaeModels(files, 48);
      expect(vae.decoder.framesPerCall).toBe(2);
      await using cases = await SafetensorsFile.open(join(fixtures, 'vae-tiny-cases.safetensors'));
      const video = await vae.decoder.decode({
        data: await cases.readFloat32('decode.in'),
        dims: [48, 2, 2, 2],
      });
      expect(maxAbsDiff(video.data, await cases.readFloat32('decode.out'))).toBeLessThan(3e-5);
      const image = await vae.encoder.encode({
        data: await cases.readFloat32('encode_image.in'),
        dims: [3, 1, 32, 32],
      });
      expect(maxAbsDiff(image.data, await cases.readFloat32('encode_image.out'))).toBeLessThan(3e-5);
    } finally {
      await weights.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
