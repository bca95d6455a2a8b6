/**
 * What one chart shows, independent of the library that draws it: the chart component turns it
 * into a Chart.js configuration, and the same numbers into the table read by screen readers.
 */
export interface ChartSeries {
  label: string;
  /** One value per label; null is a gap (nothing to report), not a zero. */
  data: (number | null)[];
  color: string;
  /** `y1` puts the series on a second axis at the right (another unit). */
  axis?: 'y' | 'y1';
}

export interface ChartTable {
  caption: string;
  /** The header of the first column, then one per value column. */
  columns: string[];
  rows: { label: string; cells: string[] }[];
}

export interface ChartPanel {
  id: string;
  title: string;
  /** One sentence saying what is drawn and over which range: the canvas's accessible name. */
  description: string;
  kind: 'bar' | 'line';
  stacked: boolean;
  labels: string[];
  series: ChartSeries[];
  /** Axis titles; `y1` only when a series is on the right axis. */
  axes: { y: string; y1?: string };
  /** Formats a value of the left and right axes in tooltips and ticks. */
  format?: { y?: (value: number) => string; y1?: (value: number) => string };
  table: ChartTable;
}
