import { Injectable, computed, inject, signal } from '@angular/core';
import type { AuditEntryView } from '@cineweave/contracts';
import { errorMessage } from '../../core/api/api-error';
import { type AuditFilters, CineweaveApi } from '../../core/api/cineweave-api';

/** The admin audit log: rows newest first under the current filters, more on demand, CSV export. */
@Injectable()
export class AuditStore {
  private readonly api = inject(CineweaveApi);

  private readonly rowsState = signal<AuditEntryView[] | null>(null);
  private readonly cursor = signal<string | null>(null);
  private readonly errorState = signal<string | null>(null);
  private readonly filtersState = signal<AuditFilters>({});
  private readonly exportingState = signal(false);

  readonly rows = computed(() => this.rowsState() ?? []);
  readonly loading = computed(() => this.rowsState() === null && !this.errorState());
  readonly error = this.errorState.asReadonly();
  readonly hasMore = computed(() => this.cursor() !== null);
  readonly filters = this.filtersState.asReadonly();
  readonly exporting = this.exportingState.asReadonly();

  async apply(filters: AuditFilters): Promise<void> {
    this.filtersState.set(filters);
    this.rowsState.set(null);
    this.cursor.set(null);
    await this.load();
  }

  async load(): Promise<void> {
    this.errorState.set(null);
    try {
      const page = await this.api.adminAudit(this.filtersState(), this.cursor());
      this.rowsState.update((rows) => [...(rows ?? []), ...page.items]);
      this.cursor.set(page.nextCursor);
    } catch (error) {
      this.errorState.set(errorMessage(error));
    }
  }

  /** The CSV of every matching row, from the API (the same filters). */
  async exportCsv(): Promise<string | null> {
    this.exportingState.set(true);
    this.errorState.set(null);
    try {
      return await this.api.adminAuditCsv(this.filtersState());
    } catch (error) {
      this.errorState.set(errorMessage(error));
      return null;
    } finally {
      this.exportingState.set(false);
    }
  }
}
