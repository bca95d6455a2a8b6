import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsWeights } from '../onnx/weights.ts';
import { maxAbsDiff } from '../reference/compare.ts';
import { SafetensorsFile } from '../safetensors/index.ts';
import { loadVaeInMemory, type LoadedVae } from './load-vae.ts';
import type { VideoTensor } from './vae-codec.ts';
import { WAN22_VAE_TINY_CONFIG } from './vae-config.ts';
import { buildVaeDecoderGraph } from './vae-decoder-graph.ts';
import { wan22LatentStats } from './vae-latent-stats.ts';

const fixtures = fileURLToPath(new URL('../../test/fixtures/wan22/', import.meta.url));

/**
 * float16 (the CUDA precision) against float32 on CPU. Video is compared in [-1, 1], where one
 * 8-bit level is 2/255 = 7.8e-3: the float16 decode must stay within half a level (3.9e-3), so
 * the encoded MP4 is the same to within rounding. Latents are O(1) (normalised) and enter a
 * denoiser that starts from unit noise: 1e-2 is far below anything the sampler would notice.
 */
const VIDEO_TOLERANCE = 1 / 255;
const LATENT_TOLERANCE = 1e-2;

// Builds ONNX graphs and runs them: give them room on a loaded CI machine.
describe('Wan 2.2 VAE in float16', { timeout: 120_000 }, () => {
  let fp32: LoadedVae;
  let fp16: LoadedVae;
  let cases: SafetensorsFile;

  beforeAll(async () => {
    const weights = await SafetensorsWeights.open([join(fixtures, 'vae-tiny.safetensors')]);
    try {
      fp32 = await loadVaeInMemory(WAN22_VAE_TINY_CONFIG, weights, wan22LatentStats());
      fp16 = await loadVaeInMemory(WAN22_VAE_TINY_CONFIG, weights, wan22LatentStats(), {
        precision: 'float16',
      });
    } finally {
      await weights.close();
    }
    cases = await SafetensorsFile.open(join(fixtures, 'vae-tiny-cases.safetensors'));
    return () => cases.close();
  }, 180_000);

  it('should decode within half an 8-bit level of the float32 graph', async () => {
    const latent: VideoTensor = { data: await cases.readFloat32('decode.in'), dims: [48, 2, 2, 2] };
    const error = maxAbsDiff(
      (await fp16.decoder.decode(latent)).data,
      (await fp32.decoder.decode(latent)).data,
    );
    console.info(
      `vae decode float16 vs float32: max abs ${error.toExponential(2)} (tolerance ${VIDEO_TOLERANCE.toExponential(2)})`,
    );
    expect(error).toBeLessThan(VIDEO_TOLERANCE);
  });

  it('should decode and encode the reference cases within its tolerances when built in float16', async () => {
    const decoded = await fp16.decoder.decode({
      data: await cases.readFloat32('decode.in'),
      dims: [48, 2, 2, 2],
    });
    const decodeError = maxAbsDiff(decoded.data, await cases.readFloat32('decode.out'));
    const encoded = await fp16.encoder.encode({
      data: await cases.readFloat32('encode_video.in'),
      dims: [3, 5, 32, 32],
    });
    const encodeError = maxAbsDiff(encoded.data, await cases.readFloat32('encode_video.out'));
    console.info(
      `vae float16 vs the official float32 reference: decode.out max abs ${decodeError.toExponential(2)}, encode_video.out ${encodeError.toExponential(2)}`,
    );
    expect(decodeError).toBeLessThan(VIDEO_TOLERANCE);
    expect(encodeError).toBeLessThan(LATENT_TOLERANCE);
  });

  it('should decode the same video in float16 when the graph takes 2 latent frames per call', async () => {
    const weights = await SafetensorsWeights.open([join(fixtures, 'vae-tiny.safetensors')]);
    const batched = await loadVaeInMemory(WAN22_VAE_TINY_CONFIG, weights, wan22LatentStats(), {
      precision: 'float16',
      framesPerCall: 2,
    }).finally(() => weights.close());
    const latent: VideoTensor = { data: await cases.readFloat32('decode.in'), dims: [48, 2, 2, 2] };
    const error = maxAbsDiff(
      (await batched.decoder.decode(latent)).data,
      (await fp16.decoder.decode(latent)).data,
    );
    expect(error).toBeLessThan(1e-3);
  });

  it('should encode within 1e-2 of the float32 graph', async () => {
    const video: VideoTensor = { data: await cases.readFloat32('encode_video.in'), dims: [3, 5, 32, 32] };
    const error = maxAbsDiff(
      (await fp16.encoder.encode(video)).data,
      (await fp32.encoder.encode(video)).data,
    );
    console.info(
      `vae encode float16 vs float32: max abs ${error.toExponential(2)} (tolerance ${LATENT_TOLERANCE})`,
    );
    expect(error).toBeLessThan(LATENT_TOLERANCE);
  });

  it('should keep the norms, the attention and the graph inputs and outputs in float32', async () => {
    const weights = await SafetensorsWeights.open([join(fixtures, 'vae-tiny.safetensors')]);
    try {
      const { graph } = await buildVaeDecoderGraph(WAN22_VAE_TINY_CONFIG, weights, wan22LatentStats(), {
        precision: 'float16',
      });
      expect(graph.inputs.every((i) => i.dtype === 'float32' || i.dtype === 'bool')).toBe(true);
      expect(graph.outputs.every((o) => o.dtype === 'float32')).toBe(true);
      const convWeights = [...graph.initializers.values()].filter((i) =>
        i.name.endsWith('residual.2.weight'),
      );
      expect(convWeights.length).toBeGreaterThan(0);
      expect(convWeights.every((i) => i.dtype === 'float16')).toBe(true);
      const qkv = graph.initializers.get('decoder.middle.1.to_qkv.weight');
      expect(qkv?.dtype).toBe('float32');
      const gammas = [...graph.initializers.values()].filter((i) => i.name.endsWith('.gamma'));
      expect(gammas.every((i) => i.dtype === 'float32')).toBe(true);
    } finally {
      await weights.close();
    }
  });
});
