import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { AlertComponent } from '../../shared/ui/alert.component';
import { SpinnerComponent } from '../../shared/ui/spinner.component';
import { ChartComponent } from '../../shared/charts/chart.component';
import { RANGE_PRESETS, type RangePreset, TimeseriesStore } from './timeseries.store';

/**
 * The admin overview's activity charts (jobs, GPU time and cost by team, credits, queue) over a
 * chosen range, and the usage CSV of that range for every team or one. Loaded with its own chunk
 * (`@defer` in the admin page), so Chart.js is fetched only by admins who open the overview.
 */
@Component({
  selector: 'cw-admin-charts',
  imports: [AlertComponent, ChartComponent, SpinnerComponent],
  providers: [TimeseriesStore],
  host: { class: 'block' },
  template: `
    <section aria-labelledby="activity-heading" class="space-y-4">
      <div class="flex flex-wrap items-end justify-between gap-3">
        <h2 id="activity-heading" class="font-display text-lg font-semibold text-ink">Activity</h2>
        <div class="flex items-center gap-2">
          <label for="activity-range" class="text-sm text-ink-muted">Range</label>
          <select
            id="activity-range"
            class="input w-auto py-1.5"
            (change)="choose($event)"
            data-testid="activity-range"
          >
            @for (preset of presets; track preset) {
              <option [value]="preset" [selected]="store.preset() === preset">
                {{ labels[preset].label }}
              </option>
            }
          </select>
          <button type="button" class="btn-ghost py-1.5" (click)="store.load()">Refresh</button>
        </div>
      </div>

      @if (store.error()) {
        <cw-alert heading="Activity could not be loaded" [message]="store.error()!" />
      } @else if (store.loading()) {
        <div class="card p-5" aria-busy="true"><cw-spinner label="Loading activity…" /></div>
      } @else {
        <div class="grid gap-4 lg:grid-cols-2">
          @for (panel of store.panels(); track panel.id) {
            <cw-chart [panel]="panel" />
          }
        </div>

        <form class="card flex flex-wrap items-end gap-3 p-5" (submit)="exportCsv($event)">
          <div>
            <label for="usage-team" class="field-label">Usage CSV for</label>
            <select
              id="usage-team"
              class="input w-auto"
              [value]="team()"
              (change)="team.set($any($event.target).value)"
            >
              <option value="">All teams</option>
              @for (option of store.teams(); track option.id) {
                <option [value]="option.id">{{ option.name }}</option>
              }
            </select>
          </div>
          <button type="submit" class="btn-secondary" [disabled]="store.exporting()">
            @if (store.exporting()) {
              <cw-spinner [showLabel]="false" label="Exporting" />
            }
            Download usage CSV
          </button>
          <p class="basis-full text-xs text-ink-faint">
            Finished jobs per UTC day, team, person and model over the days shown, with FOCUS column names.
          </p>
          @if (store.exportError()) {
            <cw-alert class="basis-full" [message]="store.exportError()!" />
          }
        </form>
      }
    </section>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AdminChartsComponent {
  protected readonly store = inject(TimeseriesStore);
  protected readonly presets = Object.keys(RANGE_PRESETS) as RangePreset[];
  protected readonly labels = RANGE_PRESETS;
  protected readonly team = signal('');

  constructor() {
    void this.store.load();
  }

  protected choose(event: Event): void {
    void this.store.load((event.target as HTMLSelectElement).value as RangePreset);
  }

  protected async exportCsv(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const file = await this.store.usageCsv(this.team() || null);
    if (!file) return;
    const url = URL.createObjectURL(new Blob([file.csv], { type: 'text/csv' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = file.filename;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  }
}
