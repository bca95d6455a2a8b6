import { loadVaeInMemory } from '../../vae/load-vae.ts';
import type { VideoTensor } from '../../vae/vae-codec.ts';
import { vaeConfigFromReference } from '../../vae/vae-config.ts';
import { wan22LatentStats } from '../../vae/vae-latent-stats.ts';
import { maxAbsDiff } from '../compare.ts';
import {
  openReferenceCases,
  openReferenceWeights,
  referenceConfig,
  weightsFileFor,
} from '../reference-io.ts';
import type { CaseResult, ReferenceRunner } from '../reference-types.ts';

type VaeReferenceConfig = Parameters<typeof vaeConfigFromReference>[0];

/**
 * vae-tiny-cases: builds the streaming encoder and decoder graphs from the VAE weights next to the
 * cases (vae-tiny.safetensors), encodes the video and the image chunk by chunk, decodes the latent
 * one frame per call, and compares with the official whole-clip results. The latent statistics
 * must be the official constants exactly.
 */
export const runner: ReferenceRunner = {
  file: 'vae-tiny-cases.safetensors',
  async run(ctx) {
    const weightsFile = weightsFileFor(ctx.file);
    const config = (await referenceConfig(ctx, weightsFile)) as unknown as VaeReferenceConfig;
    const tolerance = ctx.tolerance();
    const stats = wan22LatentStats();
    const weights = await openReferenceWeights(ctx, weightsFile);
    const vae = await loadVaeInMemory(vaeConfigFromReference(config), weights, stats, {
      unclampedOutput: true,
      unnormalisedOutput: true,
    }).finally(() => weights.close());
    await using cases = await openReferenceCases(ctx);
    const tensor = async (name: string): Promise<VideoTensor> => {
      const dims = ctx.entry.tensors[name].shape;
      if (dims.length !== 4) throw new Error(`${name} should be [C, T, H, W], is [${dims.join(', ')}]`);
      return { data: await cases.readFloat32(name), dims: dims as unknown as VideoTensor['dims'] };
    };
    const results: CaseResult[] = [];
    const compare = async (name: string, actual: Float32Array | Promise<Float32Array>, tol = tolerance) => {
      if (!cases.has(name)) return;
      const error = maxAbsDiff(await actual, await cases.readFloat32(name));
      results.push(
        tol === 0 && error !== 0
          ? { name, maxAbsError: error, tolerance: 0, failure: 'must match exactly' }
          : { name, maxAbsError: error, tolerance: tol },
      );
    };

    await compare('vae_mean', stats.mean, 0);
    await compare('vae_inv_std', stats.invStd, 0);
    if (cases.has('encode_video.in')) {
      const video = await tensor('encode_video.in');
      await compare(
        'encode_video.out',
        vae.encoder.encode(video).then((t) => t.data),
      );
      await compare(
        'encode_video.mu_unnormalized',
        vae.encoder.encode(video, 'mu').then((t) => t.data),
      );
    }
    if (cases.has('encode_image.in')) {
      await compare(
        'encode_image.out',
        vae.encoder.encode(await tensor('encode_image.in')).then((t) => t.data),
      );
    }
    if (cases.has('decode.in')) {
      const latent = await tensor('decode.in');
      await compare(
        'decode.out',
        vae.decoder.decode(latent).then((t) => t.data),
      );
      await compare(
        'decode.out_unclamped',
        vae.decoder.decode(latent, 'video_unclamped').then((t) => t.data),
      );
    }
    return results;
  },
};
