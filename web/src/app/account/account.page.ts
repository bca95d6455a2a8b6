import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { LedgerEntryKind } from '@cineweave/contracts';
import { SessionStore } from '../core/auth/session.store';
import { PlatformConfigStore } from '../core/config/platform-config.store';
import { CreditsStore } from '../core/credits/credits.store';
import { formatDateTime, formatNumber } from '../core/format/format';
import { AlertComponent } from '../shared/ui/alert.component';
import { EmptyStateComponent } from '../shared/ui/empty-state.component';
import { SpinnerComponent } from '../shared/ui/spinner.component';
import { AccountStore } from './account.store';
import { BillingComponent } from './billing/billing.component';

const KIND_LABELS: Record<LedgerEntryKind, string> = {
  grant: 'Monthly or bonus grant',
  topup: 'Top-up',
  reserve: 'Held for a video',
  capture: 'Charged for a video',
  release: 'Returned from a video',
  refund: 'Refund',
  adjust: 'Adjustment',
};

@Component({
  selector: 'cw-account-page',
  imports: [RouterLink, AlertComponent, EmptyStateComponent, SpinnerComponent, BillingComponent],
  providers: [AccountStore],
  templateUrl: './account.page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AccountPage {
  protected readonly store = inject(AccountStore);
  protected readonly credits = inject(CreditsStore);
  protected readonly session = inject(SessionStore);
  protected readonly platform = inject(PlatformConfigStore);
  protected readonly formatNumber = formatNumber;
  protected readonly formatDateTime = formatDateTime;
  protected readonly abs = Math.abs;
  protected readonly keyName = signal('');
  protected readonly copied = signal(false);
  protected readonly confirmRevoke = signal<string | null>(null);

  protected readonly paymentsEnabled = computed(
    () => !['none', ''].includes(this.platform.paymentsProvider()),
  );
  protected readonly planName = computed(() => {
    const plan = this.credits.summary()?.plan;
    return plan ? plan.charAt(0).toUpperCase() + plan.slice(1) : '—';
  });

  constructor() {
    void this.credits.refresh();
    void this.store.loadLedger();
    void this.store.loadKeys();
  }

  protected kindLabel(kind: LedgerEntryKind): string {
    return KIND_LABELS[kind] ?? kind;
  }

  protected async createKey(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (await this.store.createKey(this.keyName())) this.keyName.set('');
  }

  protected async copyKey(secret: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(secret);
      this.copied.set(true);
      setTimeout(() => this.copied.set(false), 2000);
    } catch {
      // Clipboard refused (insecure origin): the key is selectable on screen.
    }
  }

  protected async revoke(id: string): Promise<void> {
    this.confirmRevoke.set(null);
    await this.store.revokeKey(id);
  }
}
