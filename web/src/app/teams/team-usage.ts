import type { UsageReport } from '@cineweave/contracts';
import type { ChartPanel } from '../admin/charts/chart-panel';
import type { UsageRange } from '../core/api/cineweave-api';
import { formatNumber } from '../core/format/format';

const DAY_MS = 86_400_000;
const day = (date: Date) => date.toISOString().slice(0, 10);

/** The current quota month so far, as the API counts it: from the 1st (UTC) to today. */
export function monthToDate(now = new Date()): UsageRange {
  return { from: `${day(now).slice(0, 7)}-01`, to: day(now) };
}

/** One day of a team's usage: its finished jobs and the credits they were charged. */
export interface UsageDay {
  day: string;
  jobs: number;
  credits: number;
}

/**
 * The report's rows (day × person × model) summed per day, with every day of the range present
 * (zero when nothing finished), so the chart's bars and the table's rows line up with the calendar.
 */
export function usagePerDay(report: UsageReport): UsageDay[] {
  const byDay = new Map<string, UsageDay>();
  for (
    let time = Date.parse(`${report.from}T00:00:00Z`);
    time <= Date.parse(`${report.to}T00:00:00Z`);
    time += DAY_MS
  ) {
    const key = day(new Date(time));
    byDay.set(key, { day: key, jobs: 0, credits: 0 });
  }
  for (const row of report.items) {
    const entry = byDay.get(row.day) ?? { day: row.day, jobs: 0, credits: 0 };
    entry.jobs += row.jobs;
    entry.credits += row.credits;
    byDay.set(row.day, entry);
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
}

/** "7 Dec" for a chart axis and table row (the month is in the section's heading). */
export function dayLabel(isoDay: string): string {
  return new Date(`${isoDay}T00:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
}

/**
 * The team's month as a panel for the admin area's chart component (reused here: Chart.js bars
 * with the same numbers in a table): finished jobs per day on the left axis, their credits on the
 * right one.
 */
export function usagePanel(days: readonly UsageDay[], month: string): ChartPanel {
  const labels = days.map((entry) => dayLabel(entry.day));
  const jobs = days.reduce((sum, entry) => sum + entry.jobs, 0);
  const credits = days.reduce((sum, entry) => sum + entry.credits, 0);
  const span = labels.length ? `${labels[0]} to ${labels[labels.length - 1]}` : month;
  return {
    id: 'team-usage',
    title: 'Jobs and credits per day',
    description: `Finished jobs and the credits they were charged per day (UTC), ${span}: ${formatNumber(jobs)} ${jobs === 1 ? 'job' : 'jobs'}, ${formatNumber(credits)} ${credits === 1 ? 'credit' : 'credits'} in total.`,
    kind: 'bar',
    stacked: false,
    labels,
    series: [
      { label: 'Jobs', data: days.map((entry) => entry.jobs), color: '#8b5cf6' },
      { label: 'Credits', data: days.map((entry) => entry.credits), color: '#3b82f6', axis: 'y1' },
    ],
    axes: { y: 'Jobs', y1: 'Credits' },
    table: {
      caption: `Jobs and credits per day in ${month}`,
      columns: ['Day', 'Jobs', 'Credits'],
      rows: days.map((entry, index) => ({
        label: labels[index],
        cells: [formatNumber(entry.jobs), formatNumber(entry.credits)],
      })),
    },
  };
}
