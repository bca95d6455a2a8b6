import { aTimeseries, TEAM_A, TEAM_B } from './timeseries.fixture';
import { creditsPanel, gpuPanel, jobsPanel, queuePanel, timeseriesPanels } from './timeseries-panels';

describe('timeseries panels', () => {
  it('should stack one series per status, one value per hour, and total each hour in the table', () => {
    const panel = jobsPanel(aTimeseries());

    expect(panel).toMatchObject({ kind: 'bar', stacked: true, title: 'Jobs per hour by status' });
    expect(panel.labels).toEqual(['2 Nov, 00:00', '2 Nov, 01:00', '2 Nov, 02:00']);
    expect(panel.series.map((s) => [s.label, s.data])).toEqual([
      ['Queued', [0, 0, 1]],
      ['Rendering', [0, 0, 0]],
      ['Ready', [2, 0, 0]],
      ['Failed', [0, 0, 0]],
      ['Cancelled', [1, 0, 0]],
      ['Expired', [0, 0, 0]],
    ]);
    expect(panel.table.columns).toEqual([
      'Hour (UTC)',
      'Queued',
      'Rendering',
      'Ready',
      'Failed',
      'Cancelled',
      'Expired',
      'Total',
    ]);
    expect(panel.table.rows[0]).toEqual({
      label: '2 Nov, 00:00',
      cells: ['0', '0', '2', '0', '1', '0', '3'],
    });
    expect(panel.description).toContain('from 2 Nov, 00:00 to 2 Nov, 02:00 UTC');
  });

  it("should give each team a series of its GPU seconds and the table each day's seconds and cost", () => {
    const panel = gpuPanel(aTimeseries());

    expect(panel.series.map((s) => [s.label, s.data])).toEqual([
      ['ana@example.com', [1500]],
      ['Design team', [1200]],
      ['Other teams', [150]],
    ]);
    // "Other teams" is grey whatever its position.
    expect(panel.series[2]!.color).toBe('#71717a');
    expect(panel.table.columns).toEqual(['Day (UTC)', 'ana@example.com', 'Design team', 'Other teams']);
    expect(panel.table.rows).toEqual([
      { label: '2 Nov', cells: ['1,500 s · $1.50', '1,200 s · $1.20', '150 s · $0.15'] },
    ]);
    expect(panel.format!.y!(3600)).toBe('3,600 s ($3.60)');
    expect(panel.description).toContain('$3.60 per GPU-hour');
    expect(TEAM_A).not.toBe(TEAM_B);
  });

  it('should draw credits as three lines and list them per day', () => {
    const panel = creditsPanel(aTimeseries());

    expect(panel.kind).toBe('line');
    expect(panel.series.map((s) => [s.label, s.data])).toEqual([
      ['Granted', [1500]],
      ['Topped up', [300]],
      ['Captured', [80]],
    ]);
    expect(panel.table.rows).toEqual([{ label: '2 Nov', cells: ['1,500', '300', '80'] }]);
  });

  it('should put the wait p95 on a second axis, keep an hour without starts as a gap, and say so in the table', () => {
    const panel = queuePanel(aTimeseries());

    expect(panel.series).toEqual([
      expect.objectContaining({ label: 'Queue depth', data: [0, 2, 1] }),
      expect.objectContaining({ label: 'Wait p95', data: [600, 3600, null], axis: 'y1' }),
    ]);
    expect(panel.axes).toEqual({ y: 'Jobs waiting', y1: 'Wait p95' });
    expect(panel.table.rows.map((row) => row.cells)).toEqual([
      ['0', '1', '10 min'],
      ['2', '1', '1 h'],
      ['1', '0', '—'],
    ]);
  });

  it('should label days, not hours, when the buckets are days', () => {
    const panels = timeseriesPanels(
      aTimeseries({
        bucket: 'day',
        from: '2026-11-01T00:00:00.000Z',
        to: '2026-11-03T00:00:00.000Z',
        jobs: [
          { at: '2026-11-01T00:00:00.000Z', byStatus: aTimeseries().jobs[1]!.byStatus },
          { at: '2026-11-02T00:00:00.000Z', byStatus: aTimeseries().jobs[0]!.byStatus },
        ],
      }),
    );

    expect(panels.map((panel) => panel.id)).toEqual(['jobs', 'gpu', 'credits', 'queue']);
    expect(panels[0]!.title).toBe('Jobs per day by status');
    expect(panels[0]!.labels).toEqual(['1 Nov', '2 Nov']);
    expect(panels[0]!.table.columns[0]).toBe('Day (UTC)');
  });
});
