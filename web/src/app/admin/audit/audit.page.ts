import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AUDIT_ACTIONS, type AuditAction, type AuditEntryView } from '@cineweave/contracts';
import { formatDateTime } from '../../core/format/format';
import { AlertComponent } from '../../shared/ui/alert.component';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { SpinnerComponent } from '../../shared/ui/spinner.component';
import { AuditStore } from './audit.store';

/** A `datetime-local` value (the admin's local time) as an ISO instant, or null when empty. */
function isoOf(local: string): string | null {
  return local ? new Date(local).toISOString() : null;
}

@Component({
  selector: 'cw-audit-page',
  imports: [RouterLink, AlertComponent, EmptyStateComponent, SpinnerComponent],
  providers: [AuditStore],
  templateUrl: './audit.page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AuditPage {
  protected readonly store = inject(AuditStore);
  protected readonly actions = AUDIT_ACTIONS;
  protected readonly formatDateTime = formatDateTime;

  protected readonly action = signal<AuditAction | ''>('');
  protected readonly actorId = signal('');
  protected readonly targetId = signal('');
  protected readonly from = signal('');
  protected readonly to = signal('');

  constructor() {
    void this.store.apply({});
  }

  protected search(event: SubmitEvent): void {
    event.preventDefault();
    void this.store.apply({
      action: this.action() || null,
      actorId: this.actorId().trim() || null,
      targetId: this.targetId().trim() || null,
      from: isoOf(this.from()),
      to: isoOf(this.to()),
    });
  }

  protected async exportCsv(): Promise<void> {
    const csv = await this.store.exportCsv();
    if (csv === null) return;
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'cineweave-audit.csv';
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  }

  protected change(row: AuditEntryView): string {
    const show = (value: unknown) => (value === null ? '—' : JSON.stringify(value));
    return row.before === null && row.after === null ? '' : `${show(row.before)} → ${show(row.after)}`;
  }

  protected value(event: Event): string {
    return (event.target as HTMLInputElement | HTMLSelectElement).value;
  }
}
