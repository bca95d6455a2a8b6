import { TestBed } from '@angular/core/testing';
import type { AdminTimeseries } from '@cineweave/contracts';
import { ApiError } from '../../core/api/api-error';
import { CineweaveApi, type TimeseriesQuery, type UsageCsvQuery } from '../../core/api/cineweave-api';
import { TimeseriesStore } from './timeseries.store';
import { aTimeseries, TEAM_B } from './timeseries.fixture';

const NOW = new Date('2026-11-02T02:30:00.000Z');

function setup(api: Partial<CineweaveApi>) {
  TestBed.configureTestingModule({
    providers: [TimeseriesStore, { provide: CineweaveApi, useValue: api }],
  });
  return TestBed.inject(TimeseriesStore);
}

describe(TimeseriesStore.name, () => {
  it('should ask for the chosen range in its bucket and build the four panels from the answer', async () => {
    const adminTimeseries = vi.fn(async (_query: TimeseriesQuery) => aTimeseries());
    const store = setup({ adminTimeseries });

    await store.load('24h', NOW);

    expect(adminTimeseries).toHaveBeenCalledWith({
      bucket: 'hour',
      from: '2026-11-01T02:30:00.000Z',
      to: '2026-11-02T02:30:00.000Z',
    });
    expect(store.preset()).toBe('24h');
    expect(store.loading()).toBe(false);
    expect(store.panels().map((panel) => panel.id)).toEqual(['jobs', 'gpu', 'credits', 'queue']);
    // "Other teams" is no one team to export.
    expect(store.teams().map((team) => team.name)).toEqual(['ana@example.com', 'Design team']);
  });

  it('should ask for days over the last 30 days', async () => {
    const adminTimeseries = vi.fn(async (_query: TimeseriesQuery) => aTimeseries({ bucket: 'day' }));
    const store = setup({ adminTimeseries });

    await store.load('30d', NOW);

    expect(adminTimeseries).toHaveBeenCalledWith(
      expect.objectContaining({ bucket: 'day', from: '2026-10-03T02:30:00.000Z' }),
    );
  });

  it('should show only the latest range when an earlier answer arrives last', async () => {
    let answerFirst!: (series: AdminTimeseries) => void;
    const first = new Promise<AdminTimeseries>((resolve) => (answerFirst = resolve));
    const adminTimeseries = vi
      .fn()
      .mockReturnValueOnce(first)
      .mockResolvedValueOnce(aTimeseries({ bucket: 'day' }));
    const store = setup({ adminTimeseries });

    const slow = store.load('7d', NOW);
    await store.load('30d', NOW);
    answerFirst(aTimeseries({ bucket: 'hour' }));
    await slow;

    expect(store.series()!.bucket).toBe('day');
  });

  it('should say why when the API refuses, and clear it on the next load', async () => {
    const problem = {
      type: 't',
      title: 'Bad request',
      status: 400,
      detail: 'The range spans more than 31 days',
      code: 'VALIDATION_FAILED' as const,
      errors: [{ field: 'from', message: 'must be at most 31 days before to' }],
    };
    const adminTimeseries = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(400, problem, problem.detail))
      .mockResolvedValueOnce(aTimeseries());
    const store = setup({ adminTimeseries });

    await store.load('7d', NOW);
    expect(store.error()).toBe('The range spans more than 31 days');
    expect(store.panels()).toEqual([]);

    await store.load('7d', NOW);
    expect(store.error()).toBeNull();
    expect(store.panels()).toHaveLength(4);
  });

  it("should fetch one team's usage CSV over the UTC days shown, named after the team", async () => {
    const adminUsageCsv = vi.fn(async (_query: UsageCsvQuery) => 'ChargePeriodStart\n');
    const store = setup({ adminTimeseries: async () => aTimeseries(), adminUsageCsv });
    await store.load('7d', NOW);

    const file = await store.usageCsv(TEAM_B);

    expect(adminUsageCsv).toHaveBeenCalledWith({ from: '2026-11-02', to: '2026-11-02', team: TEAM_B });
    expect(file).toEqual({
      csv: 'ChargePeriodStart\n',
      filename: 'cineweave-usage-design-team-2026-11-02-2026-11-02.csv',
    });
    await expect(store.usageCsv(null)).resolves.toMatchObject({
      filename: 'cineweave-usage-all-teams-2026-11-02-2026-11-02.csv',
    });
  });

  it('should keep the refusal of a CSV export to show it', async () => {
    const store = setup({
      adminTimeseries: async () => aTimeseries(),
      adminUsageCsv: async () => {
        throw new Error('The API could not be reached');
      },
    });
    await store.load('7d', NOW);

    await expect(store.usageCsv(null)).resolves.toBeNull();
    expect(store.exportError()).toBe('The API could not be reached');
    expect(store.exporting()).toBe(false);
  });
});
