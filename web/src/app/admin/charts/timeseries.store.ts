import { Injectable, computed, inject, signal } from '@angular/core';
import { type AdminTimeseries, OTHER_TEAMS_KEY, type TimeseriesBucket } from '@cineweave/contracts';
import { errorMessage } from '../../core/api/api-error';
import { CineweaveApi } from '../../core/api/cineweave-api';
import { timeseriesPanels } from './timeseries-panels';

export type RangePreset = '24h' | '7d' | '30d';

/** The ranges the overview offers: hours while they stay readable as bars, days beyond. */
export const RANGE_PRESETS: Record<RangePreset, { label: string; bucket: TimeseriesBucket; hours: number }> =
  {
    '24h': { label: 'Last 24 hours', bucket: 'hour', hours: 24 },
    '7d': { label: 'Last 7 days', bucket: 'hour', hours: 7 * 24 },
    '30d': { label: 'Last 30 days', bucket: 'day', hours: 30 * 24 },
  };

/** A usage CSV ready to save. */
export interface UsageCsvFile {
  filename: string;
  csv: string;
}

/** The admin overview's time-series charts: one range at a time, and the usage CSV of that range. */
@Injectable()
export class TimeseriesStore {
  private readonly api = inject(CineweaveApi);

  private readonly presetState = signal<RangePreset>('7d');
  private readonly seriesState = signal<AdminTimeseries | null>(null);
  private readonly errorState = signal<string | null>(null);
  private readonly exportingState = signal(false);
  private readonly exportErrorState = signal<string | null>(null);
  /** Only the answer to the latest request is shown, whatever order the answers arrive in. */
  private request = 0;

  readonly preset = this.presetState.asReadonly();
  readonly series = this.seriesState.asReadonly();
  readonly error = this.errorState.asReadonly();
  readonly loading = computed(() => this.seriesState() === null && this.errorState() === null);
  readonly panels = computed(() => {
    const series = this.seriesState();
    return series ? timeseriesPanels(series) : [];
  });
  /** The teams named in the charts, for the usage export's team choice ("other" is no one team). */
  readonly teams = computed(() =>
    (this.seriesState()?.teams ?? []).filter((team) => team.id !== OTHER_TEAMS_KEY),
  );
  readonly exporting = this.exportingState.asReadonly();
  readonly exportError = this.exportErrorState.asReadonly();

  async load(preset: RangePreset = this.presetState(), now = new Date()): Promise<void> {
    const request = ++this.request;
    this.presetState.set(preset);
    this.seriesState.set(null);
    this.errorState.set(null);
    const { bucket, hours } = RANGE_PRESETS[preset];
    try {
      const series = await this.api.adminTimeseries({
        bucket,
        from: new Date(now.getTime() - hours * 3_600_000).toISOString(),
        to: now.toISOString(),
      });
      if (request === this.request) this.seriesState.set(series);
    } catch (error) {
      if (request === this.request) this.errorState.set(errorMessage(error));
    }
  }

  /**
   * The usage CSV (per day, team, person and model) over the UTC days the charts show, for every
   * team or for `team`; null when the API refused, with the reason in `exportError`.
   */
  async usageCsv(team: string | null): Promise<UsageCsvFile | null> {
    const series = this.seriesState();
    if (!series) return null;
    const from = series.from.slice(0, 10);
    // `to` is exclusive: the last day shown is the one before it ends.
    const to = new Date(Date.parse(series.to) - 1).toISOString().slice(0, 10);
    this.exportingState.set(true);
    this.exportErrorState.set(null);
    try {
      const csv = await this.api.adminUsageCsv({ from, to, team });
      const name = team ? (this.teams().find((t) => t.id === team)?.name ?? team) : 'all-teams';
      return { csv, filename: `cineweave-usage-${slug(name)}-${from}-${to}.csv` };
    } catch (error) {
      this.exportErrorState.set(errorMessage(error));
      return null;
    } finally {
      this.exportingState.set(false);
    }
  }
}

/** A team name as a file-name part: letters, digits, dots and dashes. */
function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9.]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'team'
  );
}
