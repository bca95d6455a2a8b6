import { DestroyRef, Injectable, InjectionToken, computed, inject, signal } from '@angular/core';
import { type PaymentView, isFinalPaymentStatus } from '@cineweave/contracts';
import { errorMessage } from '../../core/api/api-error';
import { CreditsStore } from '../../core/credits/credits.store';
import { BillingApi } from './billing-api';

/** How often the return page asks how the payment stands, and for how long at most. */
export const PAYMENT_POLL = new InjectionToken<{ intervalMs: number; giveUpAfterMs: number }>(
  'PAYMENT_POLL',
  {
    providedIn: 'root',
    factory: () => ({ intervalMs: 2000, giveUpAfterMs: 10 * 60_000 }),
  },
);

/**
 * Follows one payment after the payer comes back from the bank: it asks until the payment is
 * settled (credits applied) or failed, then refreshes the credits shown in the header.
 */
@Injectable()
export class PaymentStatusStore {
  private readonly api = inject(BillingApi);
  private readonly credits = inject(CreditsStore);
  private readonly poll = inject(PAYMENT_POLL);
  private readonly paymentState = signal<PaymentView | null>(null);
  private readonly errorState = signal<string | null>(null);
  private readonly gaveUpState = signal(false);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  readonly payment = this.paymentState.asReadonly();
  readonly error = this.errorState.asReadonly();
  /** Still not final after the longest wait: the history will show the outcome later. */
  readonly gaveUp = this.gaveUpState.asReadonly();
  readonly final = computed(() => {
    const payment = this.paymentState();
    return payment !== null && isFinalPaymentStatus(payment.status);
  });

  constructor() {
    inject(DestroyRef).onDestroy(() => this.stop());
  }

  async follow(id: string): Promise<void> {
    const startedAt = Date.now();
    const step = async (): Promise<void> => {
      if (this.stopped) return;
      try {
        const payment = await this.api.payment(id);
        this.paymentState.set(payment);
        this.errorState.set(null);
        if (isFinalPaymentStatus(payment.status)) {
          if (payment.status === 'settled') void this.credits.refresh();
          return;
        }
      } catch (error) {
        this.errorState.set(errorMessage(error));
        // An unknown payment will not appear by asking again.
        if ((error as { status?: number }).status === 404) return;
      }
      if (Date.now() - startedAt >= this.poll.giveUpAfterMs) {
        this.gaveUpState.set(true);
        return;
      }
      this.timer = setTimeout(() => void step(), this.poll.intervalMs);
    };
    await step();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
