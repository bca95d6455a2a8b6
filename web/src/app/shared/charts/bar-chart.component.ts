import {
  ChangeDetectionStrategy,
  Component,
  type ElementRef,
  computed,
  effect,
  input,
  signal,
  viewChild,
} from '@angular/core';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { formatNumber } from '../../core/format/format';

// Only what a bar chart needs is registered, so the rest of chart.js stays out of the bundle.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/** One bar series: a value per label. */
export interface ChartSeries {
  label: string;
  values: readonly number[];
}

/** The brand's purple, blue and red, in the order series take them. */
const SERIES_COLORS = ['#8b5cf6', '#3b82f6', '#f43f5e'];
const INK_MUTED = '#a59fbd';
const GRID = 'rgba(255, 255, 255, 0.06)';

/**
 * A bar chart (chart.js on a canvas) with the same numbers as a table, for screen readers and
 * for anyone who wants the figures: the canvas is an image with a summary label, and "Table"
 * switches to an ordinary `<table>` with a caption and headers. Reusable: labels and series in,
 * nothing about where they came from.
 */
@Component({
  selector: 'cw-bar-chart',
  host: { class: 'block' },
  template: `
    <div class="mb-3 flex items-center justify-between gap-3">
      <p class="text-sm font-medium text-ink" [id]="captionId()">{{ caption() }}</p>
      <div
        class="inline-flex rounded-lg border border-white/10 p-0.5 text-xs"
        role="group"
        [attr.aria-label]="caption() + ': view'"
      >
        <button
          type="button"
          class="rounded-md px-2.5 py-1"
          [class]="view() === 'chart' ? 'bg-white/10 text-ink' : 'text-ink-muted'"
          [attr.aria-pressed]="view() === 'chart'"
          (click)="view.set('chart')"
        >
          Chart
        </button>
        <button
          type="button"
          class="rounded-md px-2.5 py-1"
          [class]="view() === 'table' ? 'bg-white/10 text-ink' : 'text-ink-muted'"
          [attr.aria-pressed]="view() === 'table'"
          data-testid="chart-table-toggle"
          (click)="view.set('table')"
        >
          Table
        </button>
      </div>
    </div>
    <div class="relative h-56" [hidden]="view() !== 'chart'">
      <canvas #canvas role="img" [attr.aria-label]="summary()" data-testid="chart-canvas"></canvas>
    </div>
    @if (view() === 'table') {
      <div class="max-h-72 overflow-auto">
        <table class="w-full text-sm" data-testid="chart-table">
          <caption class="sr-only">
            {{
              caption()
            }}
          </caption>
          <thead class="text-left text-xs tracking-wide text-ink-faint uppercase">
            <tr>
              <th scope="col" class="px-3 py-2 font-medium">{{ labelHeading() }}</th>
              @for (series of series(); track series.label) {
                <th scope="col" class="px-3 py-2 text-right font-medium">{{ series.label }}</th>
              }
            </tr>
          </thead>
          <tbody class="divide-y divide-white/6">
            @for (label of labels(); track label; let row = $index) {
              <tr data-testid="chart-table-row">
                <th scope="row" class="px-3 py-2 text-left font-normal text-ink-muted">{{ label }}</th>
                @for (series of series(); track series.label) {
                  <td class="px-3 py-2 text-right text-ink tabular-nums">{{ format(series.values[row]) }}</td>
                }
              </tr>
            }
          </tbody>
        </table>
      </div>
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BarChartComponent {
  readonly caption = input.required<string>();
  /** Heading of the table's first column (what the labels are: "Day", "Hour", ...). */
  readonly labelHeading = input('Label');
  readonly labels = input.required<readonly string[]>();
  readonly series = input.required<readonly ChartSeries[]>();

  protected readonly view = signal<'chart' | 'table'>('chart');
  protected readonly format = formatNumber;
  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  private static ids = 0;
  protected readonly captionId = signal(`cw-chart-${++BarChartComponent.ids}`);

  /** What the canvas says to a screen reader: each series' total over the labels' span. */
  protected readonly summary = computed(() => {
    const labels = this.labels();
    const span = labels.length ? `${labels[0]} to ${labels[labels.length - 1]}` : 'no data';
    const totals = this.series()
      .map(
        (series) =>
          `${series.label}: ${formatNumber(series.values.reduce((sum, value) => sum + value, 0))} in total`,
      )
      .join('; ');
    return `${this.caption()}, ${span}. ${totals}. Choose Table for each value.`;
  });

  constructor() {
    effect((onCleanup) => {
      const context = this.canvas().nativeElement.getContext('2d');
      // No 2D context (a test DOM without canvas): the table still carries every number.
      if (!context) return;
      const chart = new Chart(context, this.config());
      onCleanup(() => chart.destroy());
    });
  }

  private config(): ChartConfiguration<'bar', number[], string> {
    return {
      type: 'bar',
      data: {
        labels: [...this.labels()],
        datasets: this.series().map((series, index) => ({
          label: series.label,
          data: [...series.values],
          backgroundColor: SERIES_COLORS[index % SERIES_COLORS.length],
          borderRadius: 4,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: this.series().length > 1, labels: { color: INK_MUTED } },
          tooltip: { mode: 'index', intersect: false },
        },
        scales: {
          x: { ticks: { color: INK_MUTED, maxRotation: 0, autoSkip: true }, grid: { color: GRID } },
          y: { beginAtZero: true, ticks: { color: INK_MUTED, precision: 0 }, grid: { color: GRID } },
        },
      },
    };
  }
}
