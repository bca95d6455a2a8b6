import type { UsageReport } from '@cineweave/contracts';
import type { UsageRange } from '../core/api/cineweave-api';

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
