import type { PaymentStatus, PaymentView } from '@cineweave/contracts';

export const PAYMENT_STATUS_LABELS: Record<PaymentStatus, string> = {
  pending: 'Waiting for your bank',
  authorized: 'Authorised',
  executed: 'Paid, settling',
  settled: 'Complete',
  failed: 'Failed',
};

export function productLabel(payment: PaymentView): string {
  return payment.product.kind === 'pack'
    ? `${payment.credits.toLocaleString('en-GB')} credits`
    : `${payment.product.planId[0].toUpperCase()}${payment.product.planId.slice(1)} plan, one month`;
}
