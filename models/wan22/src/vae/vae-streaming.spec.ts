import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../reference/compare.ts';
import { SafetensorsFile } from '../safetensors/index.ts';
import { ort } from '../onnx/session.ts';
import { loadVaeInMemory, type LoadedVae } from './load-vae.ts';
import { sliceFrames, WanVaeDecoder, type VideoTensor } from './vae-codec.ts';
import { WAN22_VAE_TINY_CONFIG } from './vae-config.ts';
import { wan22LatentStats } from './vae-latent-stats.ts';
import { SafetensorsWeights } from '../onnx/weights.ts';

const fixtures = fileURLToPath(new URL('../../test/fixtures/wan22/', import.meta.url));
const TOLERANCE = 3e-5;
/** Official cache slots holding "Rep" (decoder temporal upsample skipped on latent frame 0). */
const DECODER_REP_SLOTS = new Set([11, 18]);

// Builds ONNX graphs and runs them: give them room on a loaded CI machine.
describe(WanVaeDecoder.name, { timeout: 120_000 }, () => {
  let vae: LoadedVae;
  let cases: SafetensorsFile;
  let intermediates: SafetensorsFile;

  beforeAll(async () => {
    const weights = await SafetensorsWeights.open([join(fixtures, 'vae-tiny.safetensors')]);
    try {
      vae = await loadVaeInMemory(WAN22_VAE_TINY_CONFIG, weights, wan22LatentStats(), {
        unclampedOutput: true,
      });
    } finally {
      await weights.close();
    }
    cases = await SafetensorsFile.open(join(fixtures, 'vae-tiny-cases.safetensors'));
    intermediates = await SafetensorsFile.open(join(fixtures, 'vae-tiny-intermediates.safetensors'));
    return async () => {
      await cases.close();
      await intermediates.close();
    };
  }, 180_000);

  const latent = async (): Promise<VideoTensor> => ({
    data: await cases.readFloat32('decode.in'),
    dims: [48, 2, 2, 2],
  });

  it('should equal the official whole-clip decode when it streams one latent frame per call', async () => {
    const video = await vae.decoder.decode(await latent());
    const error = maxAbsDiff(video.data, await cases.readFloat32('decode.out'));
    console.info(`vae decode (streamed) max abs error ${error.toExponential(2)}`);
    expect(video.dims).toEqual([3, 5, 32, 32]);
    expect(error).toBeLessThan(TOLERANCE);
  });

  it('should give 1 video frame for latent frame 0 and 4 for each later one', async () => {
    const sizes: number[] = [];
    for await (const chunk of vae.decoder.chunks(await latent())) sizes.push(chunk.video.dims[1]);
    expect(sizes).toEqual([1, 4]);
  });

  it('should hold the official feat_map after latent frame 0 in its cache outputs', async () => {
    const z = await latent();
    const stream = vae.decoderStream;
    stream.reset();
    await stream.run(
      { latent: new ort.Tensor('float32', sliceFrames(z, 0, 1), [1, 48, 1, 2, 2]) },
      { h: 2, w: 2 },
    );
    expect(stream.cacheCount).toBe(32);
    let worst = 0;
    for (let slot = 0; slot < stream.cacheCount; slot++) {
      const mine = stream.currentCaches.get(`cache_in.${slot}`);
      if (!mine) throw new Error(`cache ${slot} missing`);
      const [, c, frames, h, w] = mine.dims;
      const plane = h * w;
      const data = mine.data as Float32Array;
      // The two cached frames: older first. After frame 0 the older one is the causal zero padding.
      const older = new Float32Array(c * plane);
      const newer = new Float32Array(c * plane);
      for (let ch = 0; ch < c; ch++) {
        older.set(data.subarray(ch * frames * plane, (ch * frames + 1) * plane), ch * plane);
        newer.set(
          data.subarray((ch * frames + frames - 1) * plane, (ch * frames + frames) * plane),
          ch * plane,
        );
      }
      expect(maxAbsDiff(older, new Float32Array(older.length))).toBe(0);
      if (DECODER_REP_SLOTS.has(slot)) {
        expect(maxAbsDiff(newer, new Float32Array(newer.length))).toBe(0);
        continue;
      }
      worst = Math.max(
        worst,
        maxAbsDiff(newer, await intermediates.readFloat32(`decode.feat_map_after_f0.${slot}`)),
      );
    }
    stream.reset();
    expect(worst).toBeLessThan(TOLERANCE);
  });

  it('should encode the image and the video chunk by chunk like the official encoder', async () => {
    const video: VideoTensor = { data: await cases.readFloat32('encode_video.in'), dims: [3, 5, 32, 32] };
    const image: VideoTensor = { data: await cases.readFloat32('encode_image.in'), dims: [3, 1, 32, 32] };
    const videoError = maxAbsDiff(
      (await vae.encoder.encode(video)).data,
      await cases.readFloat32('encode_video.out'),
    );
    const imageError = maxAbsDiff(
      (await vae.encoder.encode(image)).data,
      await cases.readFloat32('encode_image.out'),
    );
    console.info(
      `vae encode max abs error: video ${videoError.toExponential(2)}, image ${imageError.toExponential(2)}`,
    );
    expect(videoError).toBeLessThan(TOLERANCE);
    expect(imageError).toBeLessThan(TOLERANCE);
  });

  for (const framesPerCall of [2, 3]) {
    it(`should decode the same video when the graph takes ${framesPerCall} latent frames per call`, async () => {
      const weights = await SafetensorsWeights.open([join(fixtures, 'vae-tiny.safetensors')]);
      const batched = await loadVaeInMemory(WAN22_VAE_TINY_CONFIG, weights, wan22LatentStats(), {
        framesPerCall,
      }).finally(() => weights.close());
      expect(batched.decoder.framesPerCall).toBe(framesPerCall);
      const video = await batched.decoder.decode(await latent());
      expect(video.dims).toEqual([3, 5, 32, 32]);
      expect(maxAbsDiff(video.data, await cases.readFloat32('decode.out'))).toBeLessThan(TOLERANCE);
    });
  }

  it('should chain frames inside the graph exactly as across calls when the clip is long and not square', async () => {
    // No official tensors exist for 4 latent frames of a 2x3 latent; the two ways of carrying the
    // caches (graph outputs between calls, values inside one call) must agree, and the sizes follow.
    const weights = await SafetensorsWeights.open([join(fixtures, 'vae-tiny.safetensors')]);
    const batched = await loadVaeInMemory(WAN22_VAE_TINY_CONFIG, weights, wan22LatentStats(), {
      framesPerCall: 3,
    }).finally(() => weights.close());
    const long: VideoTensor = {
      data: new Float32Array(48 * 4 * 2 * 3).map((_, i) => Math.sin(i * 0.37)),
      dims: [48, 4, 2, 3],
    };
    const single = await vae.decoder.decode(long);
    const chained = await batched.decoder.decode(long);
    expect(single.dims).toEqual([3, 13, 32, 48]);
    expect(maxAbsDiff(chained.data, single.data)).toBeLessThan(1e-6);
    const encoded = await vae.encoder.encode({ data: single.data, dims: single.dims });
    expect(encoded.dims).toEqual([48, 4, 2, 3]);
    expect(encoded.data.every(Number.isFinite)).toBe(true);
  });

  it('should refuse a video whose frame count is not 1 + 4k', async () => {
    await expect(
      vae.encoder.encode({ data: new Float32Array(3 * 2 * 32 * 32), dims: [3, 2, 32, 32] }),
    ).rejects.toThrow(/1 \+ 4k/);
  });
});
