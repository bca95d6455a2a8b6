import type { LatentDims } from './flow-model.ts';

/**
 * Image-to-video conditioning: latent frame 0 of every channel becomes the encoded image. The
 * official loop does this to the noise before the first step and to the scheduler output after
 * every step (its mask arithmetic, z * 1 + x * 0, is exactly this replacement). In place: one copy
 * of a frame per channel, 1/F of the latent.
 */
export function pinFirstFrame(latent: Float32Array, dims: LatentDims, image: Float32Array): Float32Array {
  const [c, frames, h, w] = dims;
  const plane = h * w;
  if (image.length !== c * plane) {
    throw new Error(`the image latent has ${image.length} values, expected [${c}, 1, ${h}, ${w}]`);
  }
  if (latent.length !== c * frames * plane) {
    throw new Error(`the latent has ${latent.length} values, expected [${dims.join(', ')}]`);
  }
  for (let ch = 0; ch < c; ch++)
    latent.set(image.subarray(ch * plane, (ch + 1) * plane), ch * frames * plane);
  return latent;
}

/** pinFirstFrame on a copy. */
export function replaceFirstFrame(latent: Float32Array, dims: LatentDims, image: Float32Array): Float32Array {
  return pinFirstFrame(latent.slice(), dims, image);
}
