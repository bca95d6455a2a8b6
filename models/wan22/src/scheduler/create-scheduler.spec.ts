import { describe, expect, it } from 'vitest';
import { createScheduler } from './create-scheduler.ts';
import { DistilledRenoiseScheduler } from './distilled-scheduler.ts';
import { FlowEulerScheduler } from './euler-scheduler.ts';
import { FlowUniPCScheduler } from './unipc-scheduler.ts';

describe(createScheduler.name, () => {
  it('should build the scheduler of each kind when asked by name', () => {
    expect(createScheduler({ kind: 'unipc', steps: 4, shift: 5 })).toBeInstanceOf(FlowUniPCScheduler);
    expect(createScheduler({ kind: 'euler', steps: 4, shift: 5 })).toBeInstanceOf(FlowEulerScheduler);
    const noise = (n: number) => new Float32Array(n);
    expect(createScheduler({ kind: 'distilled', steps: 4, shift: 5, noise })).toBeInstanceOf(
      DistilledRenoiseScheduler,
    );
  });

  it('should refuse the distilled sampler when no noise source is given', () => {
    expect(() => createScheduler({ kind: 'distilled', steps: 4, shift: 5 })).toThrow(/noise source/);
  });
});
