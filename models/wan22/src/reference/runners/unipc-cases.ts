import { join } from 'node:path';
import { FlowUniPCScheduler } from '../../scheduler/unipc-scheduler.ts';
import { flowMatchSchedule } from '../../scheduler/flow-sigmas.ts';
import { SafetensorsFile } from '../../safetensors/index.ts';
import { maxAbsDiff, maxAbsDiffInt } from '../compare.ts';
import type { CaseResult, ReferenceRunner } from '../reference-types.ts';

interface UniPCMeta {
  config?: { set_timesteps_shift?: number; num_train_timesteps?: number };
}

/**
 * unipc-cases: for every `<prefix>.timesteps` group, rebuild the schedule (timesteps and sigmas must
 * match exactly) and replay the scheduler on the stored model outputs from the stored x0; every
 * sample after every step must stay within tolerance, and the predictor orders must match.
 */
export const runner: ReferenceRunner = {
  file: 'unipc-cases.safetensors',
  async run(ctx) {
    const meta = (ctx.entry.meta ?? {}) as UniPCMeta;
    const shift = meta.config?.set_timesteps_shift ?? 5;
    const numTrainTimesteps = meta.config?.num_train_timesteps ?? 1000;
    const tolerance = ctx.tolerance();
    const prefixes = Object.keys(ctx.entry.tensors)
      .filter((n) => n.endsWith('.timesteps'))
      .map((n) => n.slice(0, -'.timesteps'.length));
    await using file = await SafetensorsFile.open(join(ctx.dir, ctx.file));
    const results: CaseResult[] = [];
    for (const prefix of prefixes) {
      const timesteps = await file.readInt64(`${prefix}.timesteps`);
      const steps = timesteps.length;
      const schedule = flowMatchSchedule({ steps, shift, numTrainTimesteps });
      results.push(exact(`${prefix}.timesteps`, maxAbsDiffInt(schedule.timesteps, timesteps)));
      results.push(
        exact(`${prefix}.sigmas`, maxAbsDiff(schedule.sigmas, await file.readFloat32(`${prefix}.sigmas`))),
      );

      const x0 = await file.readFloat32(`${prefix}.x0`);
      const outputs = await file.readFloat32(`${prefix}.model_outputs`);
      const samples = await file.readFloat32(`${prefix}.samples`);
      const scheduler = new FlowUniPCScheduler({ steps, shift, numTrainTimesteps });
      const size = x0.length;
      let sample: Float32Array = x0;
      let worst = 0;
      const orders: number[] = [];
      for (let k = 0; k < steps; k++) {
        sample = scheduler.step(outputs.subarray(k * size, (k + 1) * size), sample);
        orders.push(scheduler.lastOrder);
        worst = Math.max(worst, maxAbsDiff(sample, samples.subarray(k * size, (k + 1) * size)));
      }
      results.push({ name: `${prefix}.samples`, maxAbsError: worst, tolerance });
      if (file.has(`${prefix}.orders`)) {
        results.push(
          exact(`${prefix}.orders`, maxAbsDiffInt(orders, await file.readInt64(`${prefix}.orders`))),
        );
      }
    }
    return results;
  },
};

function exact(name: string, error: number): CaseResult {
  return error === 0
    ? { name, maxAbsError: 0, tolerance: 0 }
    : { name, maxAbsError: error, tolerance: 0, failure: 'must match exactly' };
}
