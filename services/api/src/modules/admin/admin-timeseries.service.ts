import { Injectable } from '@nestjs/common';
import {
  type AdminTimeseries,
  type CreditsDay,
  JOB_STATUSES,
  type JobStatus,
  type JobsBucket,
  OTHER_TEAMS_KEY,
  type QueueBucket,
  TIMESERIES_TOP_TEAMS,
  type TeamGpuDay,
  type TimeseriesBucket,
} from '@cineweave/contracts';
import { AppConfig } from '../../core/config/app-config.ts';
import {
  AdminTimeseriesRepository,
  type BucketInterval,
  type TeamGpu,
} from './admin-timeseries.repository.ts';
import { BUCKET_MS, bucketStarts, resolveTimeseriesRange } from './timeseries-range.ts';

const INTERVAL: Record<TimeseriesBucket, BucketInterval> = { hour: '1 hour', day: '1 day' };
const DAY_MS = 86_400_000;

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;
const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/** The admin overview's charts: every bucket of the range present, those without data as zeros. */
@Injectable()
export class AdminTimeseriesService {
  constructor(
    private readonly repository: AdminTimeseriesRepository,
    private readonly config: AppConfig,
  ) {}

  async timeseries(
    query: { from?: string; to?: string; bucket: TimeseriesBucket },
    now = new Date(),
  ): Promise<AdminTimeseries> {
    const range = resolveTimeseriesRange(query, now);
    const interval = INTERVAL[range.bucket];
    const [statusCounts, depths, waits, gpu, credits] = await Promise.all([
      this.repository.jobsByStatus(range.from, range.to, interval),
      this.repository.queueDepth(range.from, range.to, interval),
      this.repository.waits(range.from, range.to, interval),
      this.repository.gpuByTeamPerDay(range.dayFrom, range.dayTo),
      this.repository.creditsPerDay(range.dayFrom, range.dayTo),
    ]);
    const starts = bucketStarts(range.from, range.to, BUCKET_MS[range.bucket]);
    const days = bucketStarts(range.dayFrom, range.dayTo, DAY_MS).map(dayOf);
    const { teams, gpuByDay } = await this.teamSeries(days, gpu);
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      bucket: range.bucket,
      gpuHourlyCostUsd: this.config.env.GPU_HOURLY_COST_USD,
      jobs: jobBuckets(starts, statusCounts),
      queue: queueBuckets(starts, depths, waits),
      teams,
      gpuByDay,
      credits: creditDays(days, credits),
    };
  }

  /**
   * The teams with the most GPU time over the range get a series each; the others are summed into
   * "other", so the chart stays readable however many teams there are.
   */
  private async teamSeries(
    days: string[],
    rows: TeamGpu[],
  ): Promise<{ teams: AdminTimeseries['teams']; gpuByDay: TeamGpuDay[] }> {
    const totals = new Map<string, number>();
    for (const row of rows) totals.set(row.teamId, (totals.get(row.teamId) ?? 0) + row.gpuSeconds);
    const ranked = [...totals.entries()]
      .sort(([idA, a], [idB, b]) => b - a || idA.localeCompare(idB))
      .map(([id]) => id);
    const top = ranked.slice(0, TIMESERIES_TOP_TEAMS);
    const names = await this.repository.teamNames(top);
    const teams = top.map((id) => ({ id, name: names.get(id) ?? id }));
    if (ranked.length > top.length) teams.push({ id: OTHER_TEAMS_KEY, name: 'Other teams' });

    const seconds = new Map(days.map((day) => [day, new Map(teams.map((team) => [team.id, 0]))]));
    const shown = new Set(top);
    for (const row of rows) {
      const key = shown.has(row.teamId) ? row.teamId : OTHER_TEAMS_KEY;
      const day = seconds.get(row.day);
      day?.set(key, (day.get(key) ?? 0) + row.gpuSeconds);
    }
    const hourly = this.config.env.GPU_HOURLY_COST_USD;
    const gpuByDay = days.map((day) => ({
      day,
      byTeam: Object.fromEntries(
        [...seconds.get(day)!.entries()].map(([id, value]) => [
          id,
          // Cost as the usage report and the cineweave_gpu_cost_usd_total metric price it.
          { gpuSeconds: round(value, 3), costUsd: round((value * hourly) / 3600, 4) },
        ]),
      ),
    }));
    return { teams, gpuByDay };
  }
}

function jobBuckets(starts: Date[], rows: { at: Date; status: string; count: number }[]): JobsBucket[] {
  const counts = new Map(
    starts.map((at) => [
      at.getTime(),
      Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>,
    ]),
  );
  for (const row of rows) {
    const bucket = counts.get(row.at.getTime());
    if (bucket && row.status in bucket) bucket[row.status as JobStatus] = row.count;
  }
  return starts.map((at) => ({ at: at.toISOString(), byStatus: counts.get(at.getTime())! }));
}

function queueBuckets(
  starts: Date[],
  depths: { at: Date; depth: number }[],
  waits: { at: Date; started: number; p95Seconds: number }[],
): QueueBucket[] {
  const depthAt = new Map(depths.map((row) => [row.at.getTime(), row.depth]));
  const waitAt = new Map(waits.map((row) => [row.at.getTime(), row]));
  return starts.map((at) => {
    const wait = waitAt.get(at.getTime());
    return {
      at: at.toISOString(),
      depth: depthAt.get(at.getTime()) ?? 0,
      started: wait?.started ?? 0,
      // No job started: there is no wait to report, which is not a wait of zero.
      waitP95Seconds: wait ? round(wait.p95Seconds, 3) : null,
    };
  });
}

function creditDays(
  days: string[],
  rows: { day: string; granted: number; toppedUp: number; captured: number }[],
): CreditsDay[] {
  const byDay = new Map(rows.map((row) => [row.day, row]));
  return days.map((day) => {
    const row = byDay.get(day);
    return { day, granted: row?.granted ?? 0, toppedUp: row?.toppedUp ?? 0, captured: row?.captured ?? 0 };
  });
}
