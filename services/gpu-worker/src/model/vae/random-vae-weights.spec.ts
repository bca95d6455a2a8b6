import { describe, expect, it } from 'vitest';
import { loadVaeInMemory } from './load-vae.ts';
import { WAN22_VAE_TINY_CONFIG } from './vae-config.ts';
import { wan22LatentStats } from './vae-latent-stats.ts';
import { randomVaeWeights } from './random-vae-weights.ts';

// Builds ONNX graphs and runs them: give them room on a loaded CI machine.
describe(randomVaeWeights.name, { timeout: 120_000 }, () => {
  it('should give the same weights for the same seed', async () => {
    const a = await randomVaeWeights(WAN22_VAE_TINY_CONFIG, 1).float32('decoder.conv1.weight');
    const b = await randomVaeWeights(WAN22_VAE_TINY_CONFIG, 1).float32('decoder.conv1.weight');
    const c = await randomVaeWeights(WAN22_VAE_TINY_CONFIG, 2).float32('decoder.conv1.weight');
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('should make a tiny VAE that round-trips a 5-frame clip to finite video in [-1, 1]', async () => {
    const vae = await loadVaeInMemory(
      WAN22_VAE_TINY_CONFIG,
      randomVaeWeights(WAN22_VAE_TINY_CONFIG, 3),
      wan22LatentStats(),
    );
    const clip = {
      data: new Float32Array(3 * 5 * 32 * 32).map((_, i) => Math.sin(i)),
      dims: [3, 5, 32, 32] as const,
    };
    const latent = await vae.encoder.encode(clip);
    expect(latent.dims).toEqual([48, 2, 2, 2]);
    const video = await vae.decoder.decode(latent);
    expect(video.dims).toEqual([3, 5, 32, 32]);
    expect(video.data.every((v) => Number.isFinite(v) && v >= -1 && v <= 1)).toBe(true);
  });
});
