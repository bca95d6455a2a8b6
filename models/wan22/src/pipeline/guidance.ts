const f = Math.fround;

/**
 * Classifier-free guidance as the official loop computes it, in float32:
 * uncond + scale * (cond - uncond).
 */
export function applyGuidance(cond: Float32Array, uncond: Float32Array, scale: number): Float32Array {
  if (cond.length !== uncond.length) {
    throw new Error(`guidance needs equal predictions, got ${cond.length} and ${uncond.length} values`);
  }
  const s = f(scale);
  const out = new Float32Array(cond.length);
  for (let i = 0; i < out.length; i++) out[i] = f(uncond[i] + f(s * f(cond[i] - uncond[i])));
  return out;
}
