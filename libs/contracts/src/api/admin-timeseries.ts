import { z } from 'zod';
import { JobStatusSchema } from '../jobs/job-status.ts';

/** The admin overview's chart granularity: hours for the last days, days for the last months. */
export const TIMESERIES_BUCKETS = ['hour', 'day'] as const;
export const TimeseriesBucketSchema = z.enum(TIMESERIES_BUCKETS, { error: 'bucket must be hour or day' });
export type TimeseriesBucket = z.infer<typeof TimeseriesBucketSchema>;

/** The longest range one answer covers, per bucket: a chart of more bars than this is unreadable. */
export const TIMESERIES_MAX_DAYS: Record<TimeseriesBucket, number> = { hour: 31, day: 366 };
/** Without `from`/`to`: the last week. */
export const TIMESERIES_DEFAULT_DAYS = 7;
/** Teams with the most GPU time get a series each; the rest are summed as one "other" series. */
export const TIMESERIES_TOP_TEAMS = 5;
/** The key of the summed series of every team outside the top ones. */
export const OTHER_TEAMS_KEY = 'other';

function instantField(field: string) {
  return z
    .string({ error: `${field} must be a date or a date-time` })
    .refine(
      (value) =>
        z.iso.date().safeParse(value).success || z.iso.datetime({ offset: true }).safeParse(value).success,
      { error: `${field} must be a date (YYYY-MM-DD) or an ISO 8601 date-time with its offset` },
    );
}

/**
 * `GET /v1/admin/timeseries`: `from`/`to` (a date means its UTC midnight) bound the range; each
 * is rounded down to its bucket. By default the last 7 days in hours. The API checks that `from`
 * is not after `to` and that the range fits `TIMESERIES_MAX_DAYS` once the defaults are applied.
 */
export const AdminTimeseriesQuerySchema = z.strictObject({
  from: instantField('from').optional(),
  to: instantField('to').optional(),
  bucket: TimeseriesBucketSchema.default('hour'),
});
export type AdminTimeseriesQuery = z.input<typeof AdminTimeseriesQuerySchema>;

const instant = z.iso.datetime({ offset: true });
const day = z.iso.date();
const count = z.int().min(0);

/** Jobs created in the bucket starting `at`, by the status they have now. */
export const JobsBucketSchema = z.object({
  at: instant,
  byStatus: z.record(JobStatusSchema, count),
});

/**
 * The queue at the bucket starting `at`: `depth` jobs were waiting at that instant (created
 * before it, started after it or not yet); of the `started` jobs that started within the bucket,
 * 95 % waited at most `waitP95Seconds` (null when none started).
 */
export const QueueBucketSchema = z.object({
  at: instant,
  depth: count,
  started: count,
  waitP95Seconds: z.number().min(0).nullable(),
});

/** A series of the GPU chart: a team (its account id) or the sum of the rest (`id: "other"`). */
export const TimeseriesTeamSchema = z.object({ id: z.string(), name: z.string() });

/** GPU time of jobs finished that UTC day, per team id of `teams` (every one present), and its cost. */
export const TeamGpuDaySchema = z.object({
  day,
  byTeam: z.record(z.string(), z.object({ gpuSeconds: z.number().min(0), costUsd: z.number().min(0) })),
});

/** Credits moved that UTC day: granted (grants), topped up (payments), captured (charged for jobs). */
export const CreditsDaySchema = z.object({ day, granted: count, toppedUp: count, captured: count });

/** `GET /v1/admin/timeseries`: the admin overview's charts, every bucket present (empty ones as 0). */
export const AdminTimeseriesSchema = z.object({
  /** Start of the first bucket and end (exclusive) of the last. */
  from: instant,
  to: instant,
  bucket: TimeseriesBucketSchema,
  gpuHourlyCostUsd: z.number().min(0),
  jobs: z.array(JobsBucketSchema),
  queue: z.array(QueueBucketSchema),
  /** The series of `gpuByDay`, most GPU time first, "other" last when there is one. */
  teams: z.array(TimeseriesTeamSchema),
  gpuByDay: z.array(TeamGpuDaySchema),
  credits: z.array(CreditsDaySchema),
});
export type AdminTimeseries = z.infer<typeof AdminTimeseriesSchema>;
export type JobsBucket = z.infer<typeof JobsBucketSchema>;
export type QueueBucket = z.infer<typeof QueueBucketSchema>;
export type TeamGpuDay = z.infer<typeof TeamGpuDaySchema>;
export type CreditsDay = z.infer<typeof CreditsDaySchema>;
