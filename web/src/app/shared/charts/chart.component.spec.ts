import { TestBed } from '@angular/core/testing';
import { text } from '../../testing/fake-api';
import { ChartComponent, chartConfig } from './chart.component';
import { gpuPanel, queuePanel } from '../../admin/charts/timeseries-panels';
import { aTimeseries } from '../../admin/charts/timeseries.fixture';

describe(ChartComponent.name, () => {
  // jsdom has no canvas: the component must leave the chart out and keep the table, which is what
  // these tests read (Chromium draws the chart in the e2e).
  beforeEach(() => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
  });
  afterEach(() => vi.restoreAllMocks());

  it('should name the canvas by the description and hold every number in the table behind "Table"', async () => {
    const panel = gpuPanel(aTimeseries());
    const fixture = TestBed.createComponent(ChartComponent);
    fixture.componentRef.setInput('panel', panel);
    await fixture.whenStable();
    const root = fixture.nativeElement as HTMLElement;

    const canvas = root.querySelector('canvas')!;
    expect(canvas.getAttribute('role')).toBe('img');
    expect(canvas.getAttribute('aria-label')).toBe(panel.description);
    expect(text(root.querySelector('figcaption'))).toBe('GPU time and cost per day by team');
    expect(text(root.querySelector('summary'))).toBe('Table of GPU time and cost per day by team');
    const headers = [...root.querySelectorAll('thead th')].map((th) => text(th));
    expect(headers).toEqual(['Day (UTC)', 'ana@example.com', 'Design team', 'Other teams']);
    const cells = [...root.querySelectorAll('tbody tr')].map((tr) =>
      [...tr.querySelectorAll('th, td')].map((cell) => text(cell)),
    );
    expect(cells).toEqual([['2 Nov', '1,500 s · $1.50', '1,200 s · $1.20', '150 s · $0.15']]);
  });

  it('should show the new numbers when the panel changes', async () => {
    const fixture = TestBed.createComponent(ChartComponent);
    fixture.componentRef.setInput('panel', gpuPanel(aTimeseries()));
    await fixture.whenStable();
    const later = aTimeseries();
    later.gpuByDay[0]!.byTeam['other'] = { gpuSeconds: 7200, costUsd: 7.2 };
    fixture.componentRef.setInput('panel', gpuPanel(later));
    await fixture.whenStable();

    expect(text((fixture.nativeElement as HTMLElement).querySelector('tbody td:last-child'))).toBe(
      '7,200 s · $7.20',
    );
  });
});

describe('chartConfig', () => {
  it('should stack bars on both axes and format tooltips with the panel’s formatter', () => {
    const config = chartConfig(gpuPanel(aTimeseries()));

    expect(config.type).toBe('bar');
    expect(config.data.labels).toEqual(['2 Nov']);
    expect(config.data.datasets.map((d) => d.data)).toEqual([[1500], [1200], [150]]);
    const scales = config.options!.scales as Record<string, { stacked?: boolean }>;
    expect(scales['x']!.stacked).toBe(true);
    expect(scales['y']!.stacked).toBe(true);
    expect(scales['y1']).toBeUndefined();
    const label = config.options!.plugins!.tooltip!.callbacks!.label as (item: unknown) => string;
    expect(label({ parsed: { y: 3600 }, dataset: { label: 'Design team', yAxisID: 'y' } })).toBe(
      'Design team: 3,600 s ($3.60)',
    );
  });

  it('should draw a right axis for the series on y1, leave gaps unspanned and skip animation for reduced motion', () => {
    const config = chartConfig(queuePanel(aTimeseries()), true);

    expect(config.type).toBe('line');
    expect(config.options!.animation).toBe(false);
    const scales = config.options!.scales as Record<string, { position?: string; title?: { text?: string } }>;
    expect(scales['y1']).toMatchObject({ position: 'right', title: { text: 'Wait p95' } });
    expect(
      config.data.datasets.map((d) => [
        (d as { yAxisID?: string }).yAxisID,
        (d as { spanGaps?: boolean }).spanGaps,
      ]),
    ).toEqual([
      ['y', false],
      ['y1', false],
    ]);
    const label = config.options!.plugins!.tooltip!.callbacks!.label as (item: unknown) => string;
    expect(label({ parsed: { y: 95.5 }, dataset: { label: 'Wait p95', yAxisID: 'y1' } })).toBe(
      'Wait p95: 1 min 36 s',
    );
    expect(label({ parsed: { y: null }, dataset: { label: 'Wait p95', yAxisID: 'y1' } })).toBe('Wait p95: —');
  });
});
