import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { JOB_STATUSES, LEDGER_ENTRY_KINDS, type JobStatus } from '@cineweave/contracts';
import { STATUS_LABELS, formatDateTime, formatDuration, formatNumber } from '../core/format/format';
import { AlertComponent } from '../shared/ui/alert.component';
import { EmptyStateComponent } from '../shared/ui/empty-state.component';
import { SpinnerComponent } from '../shared/ui/spinner.component';
import { StatusBadgeComponent } from '../shared/ui/status-badge.component';
import { AdminStore } from './admin.store';
import { AdminChartsComponent } from './charts/admin-charts.component';

@Component({
  selector: 'cw-admin-page',
  imports: [
    RouterLink,
    AdminChartsComponent,
    AlertComponent,
    EmptyStateComponent,
    SpinnerComponent,
    StatusBadgeComponent,
  ],
  providers: [AdminStore],
  templateUrl: './admin.page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AdminPage {
  protected readonly store = inject(AdminStore);
  protected readonly formatNumber = formatNumber;
  protected readonly formatDuration = formatDuration;
  protected readonly formatDateTime = formatDateTime;
  protected readonly statuses = JOB_STATUSES;
  protected readonly kinds = LEDGER_ENTRY_KINDS;
  protected readonly statusLabels = STATUS_LABELS;

  protected readonly grantUserId = signal('');
  protected readonly grantAmount = signal<number>(100);
  protected readonly grantReason = signal('');

  protected readonly cost = computed(() => {
    const usd = this.store.stats()?.gpuCostUsd;
    return usd === undefined
      ? '—'
      : new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(usd);
  });

  constructor() {
    this.store.loadAll();
  }

  protected prefillGrant(userId: string): void {
    this.grantUserId.set(userId);
    document.getElementById('grant-amount')?.focus();
  }

  protected async grant(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const ok = await this.store.grant({
      userId: this.grantUserId(),
      amount: this.grantAmount(),
      reason: this.grantReason(),
    });
    if (ok) this.grantReason.set('');
  }

  protected filterJobs(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    void this.store.filterJobs(value ? (value as JobStatus) : null);
  }
}
