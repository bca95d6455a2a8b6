import type { UsageReport } from '@cineweave/contracts';
import { dayLabel, monthToDate, usagePanel, usagePerDay } from './team-usage';

const row = (day: string, userId: string, jobs: number, credits: number) => ({
  day,
  userId,
  accountId: '00000000-0000-4000-8000-0000000000a2',
  teamName: 'Trailer studio',
  model: 'wan2.2-ti2v-5b',
  jobs,
  gpuSeconds: 1,
  credits,
  costUsd: 0,
});

describe('team usage', () => {
  it('should cover the quota month from the 1st (UTC) to today', () => {
    expect(monthToDate(new Date('2026-12-07T23:30:00Z'))).toEqual({ from: '2026-12-01', to: '2026-12-07' });
  });

  it('should sum people and models per day and keep every day of the range', () => {
    const report: UsageReport = {
      from: '2026-12-01',
      to: '2026-12-03',
      currency: 'USD',
      gpuHourlyCostUsd: 1,
      items: [row('2026-12-01', 'a', 1, 10), row('2026-12-03', 'a', 2, 20), row('2026-12-03', 'b', 1, 5)],
      totals: { jobs: 4, gpuSeconds: 3, credits: 35, costUsd: 0 },
    };

    expect(usagePerDay(report)).toEqual([
      { day: '2026-12-01', jobs: 1, credits: 10 },
      { day: '2026-12-02', jobs: 0, credits: 0 },
      { day: '2026-12-03', jobs: 3, credits: 25 },
    ]);
  });

  it('should label a day by its UTC date', () => {
    expect(dayLabel('2026-12-07')).toBe('7 Dec');
  });

  it('should chart jobs and credits per day with the same numbers in its table', () => {
    const panel = usagePanel(
      [
        { day: '2026-12-01', jobs: 1, credits: 1200 },
        { day: '2026-12-02', jobs: 0, credits: 0 },
      ],
      'December 2026',
    );

    expect(panel.labels).toEqual(['1 Dec', '2 Dec']);
    expect(panel.series.map((series) => [series.label, series.data, series.axis ?? 'y'])).toEqual([
      ['Jobs', [1, 0], 'y'],
      ['Credits', [1200, 0], 'y1'],
    ]);
    expect(panel.description).toBe(
      'Finished jobs and the credits they were charged per day (UTC), 1 Dec to 2 Dec: 1 job, 1,200 credits in total.',
    );
    expect(panel.table.rows).toEqual([
      { label: '1 Dec', cells: ['1', '1,200'] },
      { label: '2 Dec', cells: ['0', '0'] },
    ]);
  });
});
