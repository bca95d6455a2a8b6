import { describe, expect, it } from 'vitest';
import { vaeParameterShapes } from '../build/parameter-shapes.ts';
import { LazyRandomWeights } from '../build/lazy-random-weights.ts';
import { WAN22_VAE_TINY_CONFIG } from './vae-config.ts';
import { buildVaeDecoderGraph } from './vae-decoder-graph.ts';
import { wan22LatentStats } from './vae-latent-stats.ts';
import { decodeTraffic } from './vae-traffic.ts';

describe(decodeTraffic.name, () => {
  const weights = new LazyRandomWeights(vaeParameterShapes(WAN22_VAE_TINY_CONFIG), 1);
  const graphFor = async (framesPerCall: number) =>
    (await buildVaeDecoderGraph(WAN22_VAE_TINY_CONFIG, weights, wan22LatentStats(), { framesPerCall })).graph;

  it('should count every cache in and out once per call when the decoder takes K frames per call', async () => {
    const latent = { frames: 9, height: 4, width: 6 };
    const one = decodeTraffic(await graphFor(1), latent, 1);
    const four = decodeTraffic(await graphFor(4), latent, 4);
    expect(one.calls).toBe(9);
    expect(four.calls).toBe(3);
    // The caches are the same per call whatever K: 9 calls against 3.
    expect(one.cacheBytesPerVideo / 9).toBeCloseTo(four.cacheBytesPerVideo / 3, 6);
    // Video out: 1 + 4 * 8 = 33 frames for K = 1; 13 + 16 + 16 = 45 (padding included) for K = 4.
    const video = (frames: number) => 3 * frames * 64 * 96 * 4;
    const latentIn = (frames: number) => 48 * frames * 4 * 6 * 4;
    expect(one.bytesPerVideo - one.cacheBytesPerVideo).toBe(video(33) + latentIn(9) + 9);
    expect(four.bytesPerVideo - four.cacheBytesPerVideo).toBe(video(45) + latentIn(12) + 3);
  });
});
