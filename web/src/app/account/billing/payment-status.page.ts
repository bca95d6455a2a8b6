import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { formatMoneyMinor } from '../../core/format/format';
import { AlertComponent } from '../../shared/ui/alert.component';
import { SpinnerComponent } from '../../shared/ui/spinner.component';
import { PAYMENT_STATUS_LABELS, productLabel } from './payment-labels';
import { PaymentStatusStore } from './payment-status.store';

/**
 * Where TrueLayer's payment page sends the payer back (`TRUELAYER_RETURN_URI`), with
 * `?payment_id=` (TrueLayer's id); `?payment=` (ours) works too.
 */
@Component({
  selector: 'cw-payment-status-page',
  imports: [RouterLink, AlertComponent, SpinnerComponent],
  providers: [PaymentStatusStore],
  template: `
    <div class="page mx-auto max-w-xl space-y-6">
      <header>
        <p class="eyebrow">Payment</p>
        <h1 class="page-title mt-2">{{ heading() }}</h1>
      </header>
      @if (!paymentId) {
        <cw-alert
          heading="No payment to follow"
          message="This page is opened by the payment page; your payments are listed on your account page."
        />
      } @else {
        <section class="card space-y-3 p-5" aria-live="polite" data-testid="payment-status">
          @if (store.payment(); as payment) {
            <p class="text-ink">{{ productLabel(payment) }} · {{ formatMoneyMinor(payment.amountMinor) }}</p>
            <p class="font-display text-2xl font-bold text-ink" data-testid="payment-status-label">
              {{ labels[payment.status] }}
            </p>
            @if (payment.status === 'settled') {
              <p class="text-sm text-ink-muted">
                {{ payment.product.kind === 'plan' ? 'Your plan is active and its credits' : 'The credits' }}
                are on your account.
              </p>
            } @else if (payment.status === 'failed') {
              <p class="text-sm text-ink-muted">
                Nothing was charged{{ payment.failureReason ? ' (' + payment.failureReason + ')' : '' }}. You
                can try again from your account page.
              </p>
            } @else if (store.gaveUp()) {
              <p class="text-sm text-ink-muted">
                Your bank has not confirmed yet. The payment history on your account page will show the
                outcome.
              </p>
            } @else {
              <p class="flex items-center gap-2 text-sm text-ink-muted">
                <cw-spinner /> Waiting for your bank to confirm; this page updates by itself.
              </p>
            }
          } @else if (!store.error()) {
            <p class="flex items-center gap-2 text-sm text-ink-muted">
              <cw-spinner /> Looking up your payment…
            </p>
          }
          @if (store.error(); as error) {
            <cw-alert tone="warning" [message]="error" />
          }
        </section>
      }
      <a routerLink="/account" class="btn-secondary">Back to your account</a>
    </div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PaymentStatusPage {
  protected readonly store = inject(PaymentStatusStore);
  private readonly query = inject(ActivatedRoute).snapshot.queryParamMap;
  protected readonly paymentId = this.query.get('payment_id') ?? this.query.get('payment');
  protected readonly labels = PAYMENT_STATUS_LABELS;
  protected readonly productLabel = productLabel;
  protected readonly formatMoneyMinor = formatMoneyMinor;
  protected readonly heading = computed(() => {
    const status = this.store.payment()?.status;
    return status === 'settled'
      ? 'Payment complete'
      : status === 'failed'
        ? 'Payment failed'
        : 'Following your payment';
  });

  constructor() {
    if (this.paymentId) void this.store.follow(this.paymentId);
  }
}
