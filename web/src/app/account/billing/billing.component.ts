import { ChangeDetectionStrategy, Component, computed, effect, inject } from '@angular/core';
import { PlatformConfigStore } from '../../core/config/platform-config.store';
import { formatDateTime, formatMoneyMinor, formatNumber } from '../../core/format/format';
import { AlertComponent } from '../../shared/ui/alert.component';
import { BillingStore } from './billing.store';
import { PAYMENT_STATUS_LABELS, productLabel } from './payment-labels';

/**
 * Plans and credit packs with their prices, checkout, and payment history. Nothing is shown
 * where the deployment takes no payments (`paymentsProvider: none`).
 */
@Component({
  selector: 'cw-billing',
  imports: [AlertComponent],
  providers: [BillingStore],
  templateUrl: './billing.component.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BillingComponent {
  protected readonly store = inject(BillingStore);
  private readonly platform = inject(PlatformConfigStore);
  protected readonly enabled = computed(() => this.platform.paymentsProvider() === 'truelayer');
  protected readonly formatMoneyMinor = formatMoneyMinor;
  protected readonly formatNumber = formatNumber;
  protected readonly formatDateTime = formatDateTime;
  protected readonly statusLabels = PAYMENT_STATUS_LABELS;
  protected readonly productLabel = productLabel;

  constructor() {
    void this.platform.load();
    let loaded = false;
    effect(() => {
      if (this.enabled() && !loaded) {
        loaded = true;
        void this.store.load();
      }
    });
  }
}
