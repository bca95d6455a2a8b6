import type { UsageReport } from '@cineweave/contracts';
import { dayLabel, monthToDate, usagePerDay } from './team-usage';

const row = (day: string, userId: string, jobs: number, credits: number) => ({
  day,
  userId,
  accountId: '00000000-0000-4000-8000-0000000000a2',
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
});
