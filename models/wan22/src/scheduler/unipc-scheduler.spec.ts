import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SafetensorsFile } from '../safetensors/index.ts';
import { flowMatchSchedule } from './flow-sigmas.ts';
import { FlowUniPCScheduler } from './unipc-scheduler.ts';

const referenceDir =
  process.env['WAN22_REFERENCE_DIR'] ?? fileURLToPath(new URL('../../test/fixtures/wan22/', import.meta.url));
const TOLERANCE = 2e-5;

interface UniPCCase {
  timesteps: number[];
  sigmas: Float32Array;
  x0: Float32Array;
  samples: Float32Array;
  modelOutputs: Float32Array;
  orders: number[];
}

async function loadCase(prefix: string): Promise<UniPCCase> {
  await using file = await SafetensorsFile.open(join(referenceDir, 'unipc-cases.safetensors'));
  const ints = async (name: string) => Array.from(await file.readInt64(`${prefix}.${name}`), Number);
  return {
    timesteps: await ints('timesteps'),
    sigmas: await file.readFloat32(`${prefix}.sigmas`),
    x0: await file.readFloat32(`${prefix}.x0`),
    samples: await file.readFloat32(`${prefix}.samples`),
    modelOutputs: await file.readFloat32(`${prefix}.model_outputs`),
    orders: await ints('orders'),
  };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe(FlowUniPCScheduler.name, () => {
  for (const steps of [50, 4]) {
    it(`should reproduce the official ${steps}-step schedule bit-exactly when shift is 5`, async () => {
      const ref = await loadCase(`N${steps}`);
      const schedule = flowMatchSchedule({ steps, shift: 5 });
      expect(schedule.timesteps).toEqual(ref.timesteps);
      expect(Array.from(schedule.sigmas)).toEqual(Array.from(ref.sigmas));
    });

    it(`should follow the official ${steps}-step trajectory within ${TOLERANCE} when fed the reference model outputs`, async () => {
      const ref = await loadCase(`N${steps}`);
      const size = ref.x0.length;
      const scheduler = new FlowUniPCScheduler({ steps, shift: 5 });
      let sample = ref.x0;
      let worst = 0;
      const orders: number[] = [];
      for (let k = 0; k < steps; k++) {
        const v = ref.modelOutputs.subarray(k * size, (k + 1) * size);
        sample = scheduler.step(v, sample);
        orders.push(scheduler.lastOrder);
        worst = Math.max(worst, maxAbsDiff(sample, ref.samples.subarray(k * size, (k + 1) * size)));
      }
      console.info(`unipc N${steps}: max abs error over all steps ${worst.toExponential(2)}`);
      expect(orders).toEqual(ref.orders);
      expect(worst).toBeLessThan(TOLERANCE);
    });

    it(`should reproduce the ${steps}-step trajectory when it runs the toy model itself`, async () => {
      // The reference model: v = tanh(x) * 0.5 + 0.1 * t / 1000, with the integer timestep.
      const ref = await loadCase(`N${steps}`);
      const size = ref.x0.length;
      const scheduler = new FlowUniPCScheduler({ steps, shift: 5 });
      let sample = ref.x0;
      let worst = 0;
      for (let k = 0; k < steps; k++) {
        const t = scheduler.timesteps[k];
        const bias = Math.fround(Math.fround(0.1 * t) / 1000);
        const v = sample.map((x) => Math.fround(Math.fround(Math.tanh(x) * 0.5) + bias));
        sample = scheduler.step(v, sample);
        worst = Math.max(worst, maxAbsDiff(sample, ref.samples.subarray(k * size, (k + 1) * size)));
      }
      expect(worst).toBeLessThan(TOLERANCE);
    });
  }

  it('should refuse a step when all steps were taken', () => {
    const scheduler = new FlowUniPCScheduler({ steps: 1, shift: 5 });
    const x = new Float32Array([0.5, -0.5]);
    scheduler.step(new Float32Array([1, 1]), x);
    expect(() => scheduler.step(new Float32Array([1, 1]), x)).toThrow(/already taken/);
  });

  it('should return the x0 prediction on the last step when the final sigma is 0', () => {
    const scheduler = new FlowUniPCScheduler({ steps: 1, shift: 5 });
    const x = new Float32Array([0.5, -0.25]);
    const v = new Float32Array([1, 2]);
    const sigma = scheduler.sigmas[0];
    const out = scheduler.step(v, x);
    expect(Array.from(out)).toEqual([
      Math.fround(0.5 - Math.fround(sigma)),
      Math.fround(-0.25 - Math.fround(sigma * 2)),
    ]);
  });
});

describe(`${FlowUniPCScheduler.name} orders`, () => {
  for (const solverOrder of [1, 2, 3]) {
    it(`should land on the data when the flow is exactly linear and the order is ${solverOrder}`, () => {
      // x_s = (1 - s) x0 + s eps has velocity eps - x0, so every x0 prediction is exact.
      const x0 = [0.25, -1.5];
      const eps = [1.2, 0.3];
      const scheduler = new FlowUniPCScheduler({ steps: 12, shift: 5, solverOrder });
      const s0 = scheduler.sigmas[0];
      let x: Float32Array = Float32Array.from(x0, (v, i) => (1 - s0) * v + s0 * eps[i]);
      const v = Float32Array.from(x0, (v0, i) => eps[i] - v0);
      for (let k = 0; k < 12; k++) x = scheduler.step(v, x);
      expect(x[0]).toBeCloseTo(x0[0], 5);
      expect(x[1]).toBeCloseTo(x0[1], 5);
    });
  }
});
