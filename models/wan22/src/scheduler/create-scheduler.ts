import type { DenoisingScheduler } from './denoising-scheduler.ts';
import { DistilledRenoiseScheduler } from './distilled-scheduler.ts';
import { DmdScheduler } from './dmd-scheduler.ts';
import { FlowEulerScheduler } from './euler-scheduler.ts';
import { FlowUniPCScheduler } from './unipc-scheduler.ts';

export const SAMPLER_KINDS = ['unipc', 'euler', 'distilled', 'dmd'] as const;
export type SamplerKind = (typeof SAMPLER_KINDS)[number];

export interface SchedulerSpec {
  kind: SamplerKind;
  steps: number;
  shift: number;
  /** Only for `distilled` and `dmd`: fresh standard-normal noise for each re-noise. */
  noise?: (length: number) => Float32Array;
  /** Only for `dmd`: the checkpoint's timesteps (their count must equal `steps`). */
  timesteps?: readonly number[];
}

export function createScheduler(spec: SchedulerSpec): DenoisingScheduler {
  switch (spec.kind) {
    case 'unipc':
      return new FlowUniPCScheduler({ steps: spec.steps, shift: spec.shift });
    case 'euler':
      return new FlowEulerScheduler({ steps: spec.steps, shift: spec.shift });
    case 'distilled': {
      if (!spec.noise) throw new Error('the distilled sampler re-noises every step: give it a noise source');
      return new DistilledRenoiseScheduler({ steps: spec.steps, shift: spec.shift, noise: spec.noise });
    }
    case 'dmd': {
      if (!spec.noise) throw new Error('the dmd sampler re-noises every step: give it a noise source');
      if (!spec.timesteps) throw new Error("the dmd sampler needs the checkpoint's timesteps");
      if (spec.timesteps.length !== spec.steps) {
        throw new Error(
          `this checkpoint was distilled for ${spec.timesteps.length} steps (timesteps ${spec.timesteps.join(', ')}), not ${spec.steps}`,
        );
      }
      return new DmdScheduler({ timesteps: spec.timesteps, shift: spec.shift, noise: spec.noise });
    }
    default:
      throw new Error(`unknown sampler "${String(spec.kind)}": use one of ${SAMPLER_KINDS.join(', ')}`);
  }
}
