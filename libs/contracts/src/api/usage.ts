import { z } from 'zod';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 366;

function dayField(field: string) {
  return z
    .string({ error: `${field} must be a date` })
    .regex(DAY, { error: `${field} must be a date as YYYY-MM-DD` })
    .refine(
      (day) =>
        !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) &&
        new Date(`${day}T00:00:00Z`).toISOString().startsWith(day),
      {
        error: `${field} is not a calendar date`,
      },
    );
}

/**
 * `GET /v1/usage` (and `/v1/admin/usage`): finished jobs per UTC day, team, person and model, over
 * `[from, to]` inclusive (at most a year; by default the last 30 days). `format=csv` answers the
 * FOCUS-named CSV that the monthly export writes.
 */
export const UsageQuerySchema = z
  .strictObject({
    from: dayField('from').optional(),
    to: dayField('to').optional(),
    format: z.enum(['json', 'csv'], { error: 'format must be json or csv' }).default('json'),
    /** Admins only: one person's usage. */
    userId: z.string().min(1).max(128).optional(),
    /** Admins only: one team's usage (the team's id); `GET /v1/usage` is the caller's team's already. */
    team: z.uuid({ error: 'team must be a team id (a UUID)' }).optional(),
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    error: 'from must not be after to',
    path: ['from'],
  })
  .refine(
    (query) =>
      !query.from || !query.to || (Date.parse(query.to) - Date.parse(query.from)) / 86_400_000 < MAX_DAYS,
    { error: `the range must be at most ${MAX_DAYS} days`, path: ['to'] },
  );
export type UsageQuery = z.input<typeof UsageQuerySchema>;

/** One day × team × person × model. Jobs count when they finish (succeeded, failed, cancelled). */
export const UsageRowSchema = z.object({
  day: z.string().regex(DAY),
  userId: z.string(),
  /** The team charged (its credit pool is this account). */
  accountId: z.uuid(),
  teamName: z.string(),
  model: z.string(),
  jobs: z.int().min(0),
  gpuSeconds: z.number().min(0),
  /** Credits captured (charged); reservations released on failure or cancel are not usage. */
  credits: z.int().min(0),
  /** GPU time at the install's GPU_HOURLY_COST_USD. */
  costUsd: z.number().min(0),
});
export type UsageRow = z.infer<typeof UsageRowSchema>;

export const UsageReportSchema = z.object({
  from: z.string().regex(DAY),
  to: z.string().regex(DAY),
  currency: z.literal('USD'),
  gpuHourlyCostUsd: z.number().min(0),
  items: z.array(UsageRowSchema),
  totals: z.object({
    jobs: z.int().min(0),
    gpuSeconds: z.number().min(0),
    credits: z.int().min(0),
    costUsd: z.number().min(0),
  }),
});
export type UsageReport = z.infer<typeof UsageReportSchema>;
