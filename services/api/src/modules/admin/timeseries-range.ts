import { TIMESERIES_DEFAULT_DAYS, TIMESERIES_MAX_DAYS, type TimeseriesBucket } from '@cineweave/contracts';
import { DomainError } from '../../core/errors/domain-error.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export const BUCKET_MS: Record<TimeseriesBucket, number> = { hour: HOUR_MS, day: DAY_MS };

/** The buckets one answer covers: `[from, to)`, both on bucket boundaries (UTC). */
export interface TimeseriesRange {
  bucket: TimeseriesBucket;
  from: Date;
  /** Exclusive: the end of the bucket `to` of the query falls in. */
  to: Date;
  /** The UTC days the range touches, `[dayFrom, dayTo)`: the per-day series cover whole days. */
  dayFrom: Date;
  dayTo: Date;
}

/** `at` rounded down to a multiple of `ms` since the epoch: UTC hours and days have no DST jumps. */
const floorTo = (at: number, ms: number) => Math.floor(at / ms) * ms;
const ceilTo = (at: number, ms: number) => Math.ceil(at / ms) * ms;

/** A date alone means its UTC midnight (`Date.parse` would agree, but say so). */
const parseInstant = (value: string) =>
  Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);

/**
 * Applies the defaults (the last week up to now) and checks what the query schema cannot see
 * alone: `from` not after `to`, and at most `TIMESERIES_MAX_DAYS[bucket]` days between them.
 */
export function resolveTimeseriesRange(
  query: { from?: string; to?: string; bucket: TimeseriesBucket },
  now: Date,
): TimeseriesRange {
  const size = BUCKET_MS[query.bucket];
  const toAt = query.to === undefined ? now.getTime() : parseInstant(query.to);
  const fromAt =
    query.from === undefined ? toAt - TIMESERIES_DEFAULT_DAYS * DAY_MS : parseInstant(query.from);
  if (fromAt > toAt) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `from (${new Date(fromAt).toISOString()}) is after to (${new Date(toAt).toISOString()}): swap them.`,
      [{ field: 'from', message: 'must not be after to' }],
    );
  }
  const maxDays = TIMESERIES_MAX_DAYS[query.bucket];
  if (toAt - fromAt > maxDays * DAY_MS) {
    const hint = query.bucket === 'hour' ? ' (or ask for bucket=day)' : '';
    throw new DomainError(
      'VALIDATION_FAILED',
      `The range spans more than ${maxDays} days, the most one ${query.bucket}ly chart shows: narrow it${hint}.`,
      // Only a given `from` can be too early: the default is a week before `to`.
      [{ field: 'from', message: `must be at most ${maxDays} days before to` }],
    );
  }
  const from = floorTo(fromAt, size);
  // `to` falls in the last bucket, which is shown whole.
  const to = floorTo(toAt, size) + size;
  return {
    bucket: query.bucket,
    from: new Date(from),
    to: new Date(to),
    dayFrom: new Date(floorTo(from, DAY_MS)),
    dayTo: new Date(ceilTo(to, DAY_MS)),
  };
}

/** Every bucket start in `[from, to)`, `size` apart. */
export function bucketStarts(from: Date, to: Date, size: number): Date[] {
  const starts: Date[] = [];
  for (let at = from.getTime(); at < to.getTime(); at += size) starts.push(new Date(at));
  return starts;
}
