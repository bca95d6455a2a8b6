import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { compileKernel, KERNEL_TS, kernelModuleSource } from '../../../scripts/kernel-source.ts';
import { seededNoise } from '../../pipeline/seeded-noise.ts';
import { FlowUniPCScheduler } from '../unipc-scheduler.ts';

const f = Math.fround;

/**
 * First-order UniPC (bh2) written element by element with Math.fround, as the kernel's comment
 * defines it: the wasm path must give these bits (higher orders: the reference cases).
 */
function reference(steps: number, series: Float32Array[], x0: Float32Array): Float32Array[] {
  const scheduler = new FlowUniPCScheduler({ steps, shift: 5 });
  const sigmas = scheduler.sigmas;
  const lambda = (s: number) => f(f(Math.log(f(1 - s))) - f(Math.log(s)));
  const outs: Float32Array[] = [];
  let x = x0;
  let last: Float32Array | null = null;
  const hist: Float32Array[] = [];
  for (let i = 0; i < steps; i++) {
    const v = series[i];
    const m = x.map((xj, j) => f(xj - f(sigmas[i] * v[j])));
    let cur = x;
    if (last) {
      // first-order corrector from sigma[i - 1] to sigma[i] (rho_t = 0.5)
      const h = f(lambda(sigmas[i]) - lambda(sigmas[i - 1]));
      const hh = f(-h);
      const hPhi1 = f(Math.expm1(hh));
      const alphaT = f(1 - sigmas[i]);
      const sr = f(sigmas[i] / sigmas[i - 1]);
      const ap = f(alphaT * hPhi1);
      const ab = f(alphaT * hPhi1);
      const m0 = hist[hist.length - 1];
      const prev = last;
      cur = x.map((_, j) => f(f(f(sr * prev[j]) - f(ap * m0[j])) - f(ab * f(0.5 * f(m[j] - m0[j])))));
    }
    // first-order predictor from sigma[i] to sigma[i + 1]
    const h = f(lambda(sigmas[i + 1]) - lambda(sigmas[i]));
    const hPhi1 = f(Math.expm1(f(-h)));
    const alphaT = f(1 - sigmas[i + 1]);
    const sr = f(sigmas[i + 1] / sigmas[i]);
    const ap = f(alphaT * hPhi1);
    const next = cur.map((c, j) => f(f(sr * c) - f(ap * m[j])));
    outs.push(next);
    last = cur;
    hist.push(m);
    x = next;
  }
  return outs;
}

describe('UniPC wasm kernel', () => {
  it('should be exactly what unipc-kernel.wat compiles to when it is committed', async () => {
    const committed = await readFile(KERNEL_TS, 'utf8');
    expect(committed).toBe(kernelModuleSource(await compileKernel()));
  });

  it('should match the element-wise float32 definition bit for bit when the size is not a multiple of 4', () => {
    const size = 4 * 9 + 3;
    const series = [seededNoise(11, size), seededNoise(12, size)];
    const x0 = seededNoise(10, size);
    const expected = reference(2, series, x0);
    const scheduler = new FlowUniPCScheduler({ steps: 2, shift: 5, solverOrder: 1 });
    const first = scheduler.step(series[0], x0);
    expect(Array.from(first)).toEqual(Array.from(expected[0]));
    const second = scheduler.step(series[1], first);
    expect(Array.from(second)).toEqual(Array.from(expected[1]));
  });

  it('should give the same samples when it writes each step over its input', () => {
    const size = 64;
    const inputs = Array.from({ length: 6 }, (_, k) => seededNoise(20 + k, size));
    const apart = new FlowUniPCScheduler({ steps: 6, shift: 5 });
    const inPlace = new FlowUniPCScheduler({ steps: 6, shift: 5 });
    let a = seededNoise(1, size);
    const b = a.slice();
    for (const v of inputs) {
      a = apart.step(v, a);
      inPlace.step(v, b, b);
    }
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('should refuse a latent of another size than its first', () => {
    const scheduler = new FlowUniPCScheduler({ steps: 3, shift: 5 });
    scheduler.step(new Float32Array(8), new Float32Array(8));
    expect(() => scheduler.step(new Float32Array(12), new Float32Array(12))).toThrow(/latents of 8 values/);
  });
});
