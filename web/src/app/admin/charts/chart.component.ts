import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  type ElementRef,
  afterRenderEffect,
  inject,
  input,
  viewChild,
} from '@angular/core';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import { formatNumber } from '../../core/format/format';
import type { ChartPanel } from './chart-panel';

// Only what the four panels draw, so the rest of Chart.js stays out of the bundle.
Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
);

const INK_MUTED = '#a59fbd';
const GRID = 'rgba(255, 255, 255, 0.06)';

/** The Chart.js configuration that draws a panel (a pure function, so it can be tested without a canvas). */
export function chartConfig(panel: ChartPanel, reducedMotion = false): ChartConfiguration {
  const dense = panel.labels.length > 48;
  const formatY = panel.format?.y ?? formatNumber;
  const formatY1 = panel.format?.y1 ?? formatNumber;
  const axis = (title: string) => ({
    beginAtZero: true,
    stacked: panel.stacked,
    title: { display: true, text: title, color: INK_MUTED },
    ticks: { color: INK_MUTED, precision: 0 },
    grid: { color: GRID },
  });
  return {
    type: panel.kind,
    data: {
      labels: panel.labels,
      datasets: panel.series.map((series) => ({
        label: series.label,
        data: series.data,
        yAxisID: series.axis ?? 'y',
        backgroundColor: panel.kind === 'bar' ? series.color : `${series.color}33`,
        borderColor: series.color,
        borderWidth: panel.kind === 'line' ? 2 : 0,
        pointRadius: panel.kind === 'line' && !dense ? 2 : 0,
        tension: 0.25,
        // Monotone curves never swing below zero or past a point between two days.
        cubicInterpolationMode: 'monotone' as const,
        // A null is "nothing to report" (no job started): the line breaks rather than dropping to zero.
        spanGaps: false,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion ? false : { duration: 300 },
      color: INK_MUTED,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: {
          stacked: panel.stacked,
          ticks: { color: INK_MUTED, maxRotation: 0, autoSkip: true, autoSkipPadding: 12 },
          grid: { display: false },
        },
        y: {
          ...axis(panel.axes.y),
          ticks: { color: INK_MUTED, precision: 0, callback: (v) => formatNumber(+v) },
        },
        ...(panel.axes.y1
          ? {
              y1: {
                ...axis(panel.axes.y1),
                position: 'right' as const,
                // One grid is enough: the right axis only labels its own ticks.
                grid: { drawOnChartArea: false },
                // Whole units: an empty axis would otherwise repeat "0 s" at fractional ticks.
                ticks: { color: INK_MUTED, precision: 0, callback: (v: string | number) => formatY1(+v) },
              },
            }
          : {}),
      },
      plugins: {
        legend: { position: 'bottom', labels: { color: INK_MUTED, boxWidth: 10, boxHeight: 10 } },
        tooltip: {
          callbacks: {
            label: (item) => {
              const value = item.parsed.y;
              const format = item.dataset.yAxisID === 'y1' ? formatY1 : formatY;
              return `${item.dataset.label}: ${value === null ? '—' : format(value)}`;
            },
          },
        },
      },
    },
  };
}

/**
 * One chart drawn with Chart.js on a canvas named by the panel's description, and the same numbers
 * in a table behind a "Table" disclosure, for screen readers and for anyone who wants the figures.
 */
@Component({
  selector: 'cw-chart',
  host: { class: 'block' },
  template: `
    <figure class="card flex h-full flex-col p-5" [attr.data-testid]="'chart-' + panel().id">
      <figcaption class="text-sm font-semibold text-ink">{{ panel().title }}</figcaption>
      <div class="relative mt-4 h-64">
        <canvas #canvas role="img" [attr.aria-label]="panel().description">
          {{ panel().description }} The numbers are in the table below.
        </canvas>
      </div>
      <details class="mt-4 text-sm">
        <summary class="cursor-pointer text-ink-muted select-none hover:text-ink">
          Table<span class="sr-only"> of {{ panel().title }}</span>
        </summary>
        <div class="mt-3 max-h-72 overflow-auto">
          <table class="w-full text-sm" [attr.data-testid]="'chart-table-' + panel().id">
            <caption class="sr-only">
              {{
                panel().table.caption
              }}
            </caption>
            <thead class="text-left text-xs tracking-wide text-ink-faint uppercase">
              <tr>
                @for (column of panel().table.columns; track $index) {
                  <th scope="col" class="px-3 py-2 font-medium" [class.text-right]="!$first">{{ column }}</th>
                }
              </tr>
            </thead>
            <tbody class="divide-y divide-white/6">
              @for (row of panel().table.rows; track $index) {
                <tr>
                  <th scope="row" class="px-3 py-1.5 text-left font-normal whitespace-nowrap text-ink-muted">
                    {{ row.label }}
                  </th>
                  @for (cell of row.cells; track $index) {
                    <td class="px-3 py-1.5 text-right whitespace-nowrap text-ink tabular-nums">{{ cell }}</td>
                  }
                </tr>
              }
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChartComponent {
  readonly panel = input.required<ChartPanel>();
  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  private chart: Chart | null = null;

  constructor() {
    const reducedMotion =
      typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
    // After each render with a new panel: draw the first time, then update the same chart in place.
    afterRenderEffect({
      write: () => {
        const config = chartConfig(this.panel(), reducedMotion);
        if (this.chart) {
          this.chart.data = config.data;
          this.chart.options = config.options ?? {};
          this.chart.update();
        } else {
          // Without a 2D context (no canvas support) there is nothing to draw on: the table stays.
          const context = this.canvas().nativeElement.getContext('2d');
          if (context) this.chart = new Chart(context, config);
        }
      },
    });
    inject(DestroyRef).onDestroy(() => this.chart?.destroy());
  }
}
