/**
 * 3-D RoPE tables of WanModel: the head's d/2 complex pairs split into frame / height / width parts
 * of d - 4*(d/6 floored) , 2*(d/6), 2*(d/6) channels (44/42/42 for d = 128), each with
 * freq_i = theta^(-2i/part) and angle = position * freq, computed in float64 like rope_params.
 * Returned as float32 cos/sin [maxPositions, pairs] per part.
 */
export interface RopeTables {
  readonly parts: readonly number[]; // complex pairs per axis (22, 21, 21)
  readonly cos: readonly Float32Array[];
  readonly sin: readonly Float32Array[];
  readonly maxPositions: number;
}

export function ropeSplit(headDim: number): [number, number, number] {
  const sixth = Math.floor(headDim / 6);
  return [headDim - 4 * sixth, 2 * sixth, 2 * sixth];
}

export function ropeTables(headDim: number, maxPositions = 1024, theta = 10000): RopeTables {
  const dims = ropeSplit(headDim);
  const cos: Float32Array[] = [];
  const sin: Float32Array[] = [];
  for (const dim of dims) {
    const pairs = dim / 2;
    const c = new Float32Array(maxPositions * pairs);
    const s = new Float32Array(maxPositions * pairs);
    for (let p = 0; p < maxPositions; p++) {
      for (let i = 0; i < pairs; i++) {
        const angle = p * (1 / Math.pow(theta, (2 * i) / dim));
        c[p * pairs + i] = Math.cos(angle);
        s[p * pairs + i] = Math.sin(angle);
      }
    }
    cos.push(c);
    sin.push(s);
  }
  return { parts: dims.map((d) => d / 2), cos, sin, maxPositions };
}
