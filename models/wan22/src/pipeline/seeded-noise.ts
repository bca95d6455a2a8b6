/**
 * Gaussian noise from a seed, drawn exactly as `torch.randn(shape, generator=torch.Generator().
 * manual_seed(seed))` draws it on CPU: MT19937, 24-bit uniforms, Box-Muller over blocks of 16
 * (value j pairs with j + 8), and the last partial block redrawn. So a job's recorded seed
 * reproduces its latent noise, and the official CPU pipeline's noise for the same seed.
 */
export function seededNoise(seed: number, count: number): Float32Array {
  const rng = new Mt19937(seed);
  const data = new Float32Array(count);
  const uniform = () => (rng.next() & 0xffffff) / 0x1000000;
  if (count < 16) {
    // torch's scalar path for small tensors: one Box-Muller pair per two values, in order.
    for (let i = 0; i < count; i += 2) {
      const [a, b] = boxMuller(uniform(), uniform());
      data[i] = a;
      if (i + 1 < count) data[i + 1] = b;
    }
    return data;
  }
  for (let i = 0; i < count; i += 1) data[i] = uniform();
  for (let i = 0; i + 16 <= count; i += 16) fill16(data, i);
  if (count % 16 !== 0) {
    const start = count - 16;
    for (let i = 0; i < 16; i += 1) data[start + i] = uniform();
    fill16(data, start);
  }
  return data;
}

function fill16(data: Float32Array, offset: number): void {
  for (let j = 0; j < 8; j += 1) {
    const [a, b] = boxMuller(data[offset + j], data[offset + j + 8]);
    data[offset + j] = a;
    data[offset + j + 8] = b;
  }
}

function boxMuller(uniform1: number, uniform2: number): [number, number] {
  // 1 - u maps [0, 1) to (0, 1], so the log never sees 0.
  const radius = Math.sqrt(-2 * Math.log(1 - uniform1));
  const theta = 2 * Math.PI * uniform2;
  return [radius * Math.cos(theta), radius * Math.sin(theta)];
}

/** The 32-bit Mersenne Twister (std::mt19937), as torch's CPU generator uses it. */
class Mt19937 {
  private readonly state = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    this.state[0] = seed >>> 0;
    for (let i = 1; i < 624; i += 1) {
      const previous = this.state[i - 1] ^ (this.state[i - 1] >>> 30);
      // 1812433253 * previous + i, modulo 2^32, without losing bits to doubles.
      this.state[i] = (Math.imul(1812433253, previous) + i) >>> 0;
    }
  }

  next(): number {
    if (this.index >= 624) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const state = this.state;
    for (let i = 0; i < 624; i += 1) {
      const y = (state[i] & 0x80000000) | (state[(i + 1) % 624] & 0x7fffffff);
      let next = state[(i + 397) % 624] ^ (y >>> 1);
      if (y & 1) next ^= 0x9908b0df;
      state[i] = next >>> 0;
    }
    this.index = 0;
  }
}
