const f = Math.fround;

/**
 * Classifier-free guidance as the official loop computes it, in float32:
 * uncond + scale * (cond - uncond). Written into `out` when given (a buffer the loop reuses every
 * step; it may be `cond` or `uncond` itself), else into a new array.
 */
export function applyGuidance(
  cond: Float32Array,
  uncond: Float32Array,
  scale: number,
  out: Float32Array = new Float32Array(cond.length),
): Float32Array {
  if (cond.length !== uncond.length || out.length !== cond.length) {
    throw new Error(
      `guidance needs equal predictions, got ${cond.length} and ${uncond.length} values (output ${out.length})`,
    );
  }
  const s = f(scale);
  for (let i = 0; i < out.length; i++) {
    const u = uncond[i];
    out[i] = f(u + f(s * f(cond[i] - u)));
  }
  return out;
}
