import { z } from 'zod';
import { RESOLUTIONS, type Resolution } from '../jobs/job-parameters.ts';

/**
 * Price table: credits per second of video at each resolution. Integer credits only:
 * money never touches floating point.
 */
export const PricingTableSchema = z.strictObject({
  creditsPerSecond: z
    .record(z.enum(RESOLUTIONS), z.int().min(0))
    .refine((table) => RESOLUTIONS.every((resolution) => resolution in table), {
      error: `creditsPerSecond must price every resolution (${RESOLUTIONS.join(', ')})`,
    }),
  /** No job costs less than this, however short. */
  minimumCredits: z.int().min(0).default(1),
});
export type PricingTable = z.output<typeof PricingTableSchema>;

export const DEFAULT_PRICING: PricingTable = {
  creditsPerSecond: { '1280x704': 10, '704x1280': 10, '640x352': 3, '352x640': 3 },
  minimumCredits: 1,
};

/**
 * Credits a job costs: quoted before submit, reserved at admission, captured on success. The model's
 * price factor (its catalog entry's, in whole hundredths) scales the table, rounded up to a credit.
 */
export function quoteCredits(
  table: PricingTable,
  job: { resolution: Resolution; durationSeconds: number },
  priceFactor = 1,
): number {
  if (!Number.isInteger(job.durationSeconds) || job.durationSeconds <= 0) {
    throw new RangeError(`durationSeconds must be a positive whole number, got ${job.durationSeconds}`);
  }
  const hundredths = Math.round(priceFactor * 100);
  const base = table.creditsPerSecond[job.resolution] * job.durationSeconds;
  // Integer arithmetic: base x hundredths / 100, rounded up.
  return Math.max(table.minimumCredits, Math.ceil((base * hundredths) / 100));
}
