import { join } from 'node:path';
import type { ort } from '../../onnx/session.ts';
import { SafetensorsFile } from '../../safetensors/index.ts';
import { loadVaeInMemory } from '../../vae/load-vae.ts';
import type { VideoTensor } from '../../vae/vae-codec.ts';
import { vaeConfigFromReference } from '../../vae/vae-config.ts';
import { TAP_PREFIX } from '../../vae/vae-graph-ops.ts';
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
type Chunks = Record<string, VideoTensor>[];

/**
 * vae-tiny-intermediates: the VAE graphs built with debug taps, run chunk by chunk on the inputs
 * of vae-tiny-cases, compared with every recorded intermediate of the official run: per chunk /
 * latent frame (`encode_video.c<k>.*`, `decode.f<k>.*`), the whole-clip tensors assembled from the
 * chunks (patchified input, vae_conv1, mu, z_denorm, vae_conv2), and the causal caches after the
 * first step (`*.feat_map_after_*.<slot>`; a graph cache holds 2 frames where the official one
 * holds 1 after the first step, and the extra one must be the zero causal padding).
 */
export const runner: ReferenceRunner = {
  file: 'vae-tiny-intermediates.safetensors',
  async run(ctx) {
    const weightsFile = weightsFileFor(ctx.file);
    const config = (await referenceConfig(ctx, weightsFile)) as unknown as VaeReferenceConfig;
    const weights = await openReferenceWeights(ctx, weightsFile);
    const vae = await loadVaeInMemory(vaeConfigFromReference(config), weights, wan22LatentStats(), {
      debugTaps: true,
      unnormalisedOutput: true,
    }).finally(() => weights.close());
    await using inputs = await SafetensorsFile.open(
      join(ctx.dir, ctx.file.replace(/-intermediates\./, '-cases.')),
    );
    await using expected = await openReferenceCases(ctx);
    const tolerance = ctx.tolerance();

    const input = async (name: string): Promise<VideoTensor> => {
      const dims = inputs.get(name).shape;
      return { data: await inputs.readFloat32(name), dims: [dims[0], dims[1], dims[2], dims[3]] };
    };
    const encoderChunks: Chunks = [];
    let encoderCaches = new Map<string, ort.Tensor>();
    if (inputs.has('encode_video.in')) {
      for await (const chunk of vae.encoder.chunks(await input('encode_video.in'))) {
        encoderChunks.push(chunk.outputs);
        if (chunk.index === 0) encoderCaches = new Map(vae.encoderStream.currentCaches);
      }
    }
    const decoderChunks: Chunks = [];
    let decoderCaches = new Map<string, ort.Tensor>();
    if (inputs.has('decode.in')) {
      for await (const chunk of vae.decoder.chunks(await input('decode.in'))) {
        decoderChunks.push(chunk.outputs);
        if (decoderChunks.length === 1) decoderCaches = new Map(vae.decoderStream.currentCaches);
      }
    }

    const results: CaseResult[] = [];
    for (const name of Object.keys(ctx.entry.tensors)) {
      const reference = await expected.readFloat32(name);
      let actual: Float32Array | undefined;
      let match: RegExpExecArray | null;
      if ((match = /^(encode_video|decode)\.(?:c|f)(\d+)\.(.+)$/.exec(name))) {
        const chunks = match[1] === 'decode' ? decoderChunks : encoderChunks;
        actual = chunks[Number(match[2])]?.[`${TAP_PREFIX}${match[3]}`]?.data;
      } else if ((match = /^(encode_video|decode)\.feat_map_after_(?:c|f)0\.(\d+)$/.exec(name))) {
        const caches = match[1] === 'decode' ? decoderCaches : encoderCaches;
        const cache = caches.get(`cache_in.${match[2]}`);
        if (cache) {
          const error = cacheError(cache, reference, ctx.entry.tensors[name].shape[2]);
          results.push({ name, maxAbsError: error, tolerance });
          continue;
        }
      } else {
        const assembled: Record<string, [Chunks, string]> = {
          'encode_video.patchified': [encoderChunks, `${TAP_PREFIX}patchified`],
          'encode_video.vae_conv1': [encoderChunks, `${TAP_PREFIX}vae_conv1`],
          'encode_video.mu_unnormalized': [encoderChunks, 'mu'],
          'decode.z_denorm': [decoderChunks, `${TAP_PREFIX}z_denorm`],
          'decode.vae_conv2': [decoderChunks, `${TAP_PREFIX}vae_conv2`],
        };
        const source = assembled[name];
        if (source) actual = concatFrames(source[0].map((c) => c[source[1]]));
      }
      results.push(
        actual === undefined
          ? { name, maxAbsError: Number.NaN, tolerance, failure: 'the graphs produce no such tensor' }
          : actual.length !== reference.length
            ? {
                name,
                maxAbsError: Number.NaN,
                tolerance,
                failure: `${actual.length} values, expected ${reference.length}`,
              }
            : { name, maxAbsError: maxAbsDiff(actual, reference), tolerance },
      );
    }
    return results;
  },
};

/** Joins [C, n_k, H, W] chunks along time (undefined if any is missing). */
function concatFrames(chunks: (VideoTensor | undefined)[]): Float32Array | undefined {
  if (chunks.length === 0 || chunks.some((c) => !c)) return undefined;
  const parts = chunks as VideoTensor[];
  const [c, , h, w] = parts[0].dims;
  const total = parts.reduce((n, p) => n + p.dims[1], 0);
  const plane = h * w;
  const out = new Float32Array(c * total * plane);
  let at = 0;
  for (const p of parts) {
    const n = p.dims[1];
    for (let ch = 0; ch < c; ch++)
      out.set(p.data.subarray(ch * n * plane, (ch + 1) * n * plane), (ch * total + at) * plane);
    at += n;
  }
  return out;
}

/** A graph cache [1, C, F, h, w] against the official one with `frames` <= F: newest frames equal, older ones zero. */
function cacheError(cache: ort.Tensor, reference: Float32Array, frames: number): number {
  const [, c, f, h, w] = cache.dims;
  const data = cache.data as Float32Array;
  const plane = h * w;
  if (reference.length !== c * frames * plane) return Number.NaN;
  let worst = 0;
  for (let ch = 0; ch < c; ch++) {
    for (let t = 0; t < f; t++) {
      const mine = data.subarray((ch * f + t) * plane, (ch * f + t + 1) * plane);
      const rt = t - (f - frames);
      const theirs =
        rt >= 0
          ? reference.subarray((ch * frames + rt) * plane, (ch * frames + rt + 1) * plane)
          : new Float32Array(plane);
      worst = Math.max(worst, maxAbsDiff(mine, theirs));
    }
  }
  return worst;
}
