import { type AdminTimeseries, JOB_STATUSES, type JobStatus } from '@cineweave/contracts';
import { STATUS_LABELS, formatDuration, formatNumber } from '../../core/format/format';
import type { ChartPanel } from '../../shared/charts/chart-panel';

/** Colours of the status badges (status-badge.component.ts), as canvas colours. */
const STATUS_COLORS: Record<JobStatus, string> = {
  queued: '#38bdf8',
  running: '#8b5cf6',
  succeeded: '#34d399',
  failed: '#f43f5e',
  cancelled: '#a1a1aa',
  expired: '#fbbf24',
};
/** The brand's purple, red and blue first, then distinct hues; "other teams" is always grey. */
const TEAM_COLORS = ['#8b5cf6', '#f43f5e', '#3b82f6', '#fbbf24', '#34d399', '#f472b6'];
const OTHER_COLOR = '#71717a';

// Buckets are UTC hours and days: labels say so rather than shifting them into local time.
const hourLabel = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const dayLabel = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });

export const bucketLabel = (iso: string, bucket: AdminTimeseries['bucket']) =>
  (bucket === 'hour' ? hourLabel : dayLabel).format(new Date(iso));
const dayOnly = (day: string) => dayLabel.format(new Date(`${day}T00:00:00Z`));
export const formatUsd = (value: number) => usd.format(value);

const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const;

/** "from <first bucket> to <last bucket> UTC" (`to` is the exclusive end of the last bucket). */
function rangeText(series: AdminTimeseries): string {
  const last = new Date(Date.parse(series.to) - BUCKET_MS[series.bucket]).toISOString();
  return `from ${bucketLabel(series.from, series.bucket)} to ${bucketLabel(last, series.bucket)} UTC`;
}

/** Jobs created per bucket, stacked by the status they have now. */
export function jobsPanel(series: AdminTimeseries): ChartPanel {
  const unit = series.bucket;
  const labels = series.jobs.map((bucket) => bucketLabel(bucket.at, unit));
  return {
    id: 'jobs',
    title: `Jobs per ${unit} by status`,
    description: `Stacked bar chart of the jobs created each ${unit}, by their status now, ${rangeText(series)}.`,
    kind: 'bar',
    stacked: true,
    labels,
    series: JOB_STATUSES.map((status) => ({
      label: STATUS_LABELS[status],
      data: series.jobs.map((bucket) => bucket.byStatus[status]),
      color: STATUS_COLORS[status],
    })),
    axes: { y: 'Jobs' },
    table: {
      caption: `Jobs created per ${unit} (UTC), by status`,
      columns: [
        unit === 'hour' ? 'Hour (UTC)' : 'Day (UTC)',
        ...JOB_STATUSES.map((s) => STATUS_LABELS[s]),
        'Total',
      ],
      rows: series.jobs.map((bucket, index) => {
        const counts = JOB_STATUSES.map((status) => bucket.byStatus[status]);
        return {
          label: labels[index]!,
          cells: [...counts, counts.reduce((a, b) => a + b, 0)].map((n) => formatNumber(n)),
        };
      }),
    },
  };
}

/** GPU time per day, stacked by team; cost is GPU time at the install's hourly price. */
export function gpuPanel(series: AdminTimeseries): ChartPanel {
  const labels = series.gpuByDay.map((day) => dayOnly(day.day));
  const color = (id: string, index: number) =>
    id === 'other' ? OTHER_COLOR : TEAM_COLORS[index % TEAM_COLORS.length]!;
  return {
    id: 'gpu',
    title: 'GPU time and cost per day by team',
    description:
      `Stacked bar chart of the GPU seconds of the jobs finished each day, by team, ${rangeText(series)}; ` +
      `cost at ${formatUsd(series.gpuHourlyCostUsd)} per GPU-hour.`,
    kind: 'bar',
    stacked: true,
    labels,
    series: series.teams.map((team, index) => ({
      label: team.name,
      data: series.gpuByDay.map((day) => day.byTeam[team.id]?.gpuSeconds ?? 0),
      color: color(team.id, index),
    })),
    axes: { y: 'GPU seconds' },
    format: {
      y: (seconds) => `${formatNumber(seconds)} s (${formatUsd((seconds * series.gpuHourlyCostUsd) / 3600)})`,
    },
    table: {
      caption: `GPU seconds and cost (USD) per UTC day and team, at ${formatUsd(series.gpuHourlyCostUsd)} per GPU-hour`,
      columns: ['Day (UTC)', ...series.teams.map((team) => team.name)],
      rows: series.gpuByDay.map((day, index) => ({
        label: labels[index]!,
        cells: series.teams.map((team) => {
          const value = day.byTeam[team.id] ?? { gpuSeconds: 0, costUsd: 0 };
          return `${formatNumber(value.gpuSeconds)} s · ${formatUsd(value.costUsd)}`;
        }),
      })),
    },
  };
}

/** Credits flowing in (grants, top-ups) against credits charged for jobs, per day. */
export function creditsPanel(series: AdminTimeseries): ChartPanel {
  const labels = series.credits.map((day) => dayOnly(day.day));
  return {
    id: 'credits',
    title: 'Credits granted and captured per day',
    description: `Line chart of the credits granted, topped up and captured each day, ${rangeText(series)}.`,
    kind: 'line',
    stacked: false,
    labels,
    series: [
      { label: 'Granted', data: series.credits.map((day) => day.granted), color: '#8b5cf6' },
      { label: 'Topped up', data: series.credits.map((day) => day.toppedUp), color: '#3b82f6' },
      { label: 'Captured', data: series.credits.map((day) => day.captured), color: '#f43f5e' },
    ],
    axes: { y: 'Credits' },
    table: {
      caption: 'Credits granted, topped up and captured per UTC day',
      columns: ['Day (UTC)', 'Granted', 'Topped up', 'Captured'],
      rows: series.credits.map((day, index) => ({
        label: labels[index]!,
        cells: [day.granted, day.toppedUp, day.captured].map((n) => formatNumber(n)),
      })),
    },
  };
}

/** Jobs waiting at each bucket start (left axis) and the 95th percentile wait (right axis). */
export function queuePanel(series: AdminTimeseries): ChartPanel {
  const unit = series.bucket;
  const labels = series.queue.map((bucket) => bucketLabel(bucket.at, unit));
  return {
    id: 'queue',
    title: 'Queue depth and wait p95',
    description:
      `Line chart of the jobs waiting at the start of each ${unit} and the 95th percentile wait of the jobs ` +
      `started in it, ${rangeText(series)}.`,
    kind: 'line',
    stacked: false,
    labels,
    series: [
      { label: 'Queue depth', data: series.queue.map((bucket) => bucket.depth), color: '#38bdf8' },
      {
        label: 'Wait p95',
        data: series.queue.map((bucket) => bucket.waitP95Seconds),
        color: '#fbbf24',
        axis: 'y1',
      },
    ],
    axes: { y: 'Jobs waiting', y1: 'Wait p95' },
    format: { y1: (seconds) => formatDuration(seconds) },
    table: {
      caption: `Queue depth at the start of each ${unit} (UTC), jobs started and their 95th percentile wait`,
      columns: [unit === 'hour' ? 'Hour (UTC)' : 'Day (UTC)', 'Queue depth', 'Jobs started', 'Wait p95'],
      rows: series.queue.map((bucket, index) => ({
        label: labels[index]!,
        cells: [
          formatNumber(bucket.depth),
          formatNumber(bucket.started),
          formatDuration(bucket.waitP95Seconds),
        ],
      })),
    },
  };
}

/** The admin overview's four charts, in the order they are shown. */
export function timeseriesPanels(series: AdminTimeseries): ChartPanel[] {
  return [jobsPanel(series), gpuPanel(series), creditsPanel(series), queuePanel(series)];
}
