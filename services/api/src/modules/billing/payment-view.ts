import type { CreditPackId, PaymentStatus, PaymentView, PlanId } from '@cineweave/contracts';
import type { Payment } from './payments.repository.ts';

export function toPaymentView(payment: Payment): PaymentView {
  return {
    id: payment.id,
    product:
      payment.productKind === 'pack'
        ? { kind: 'pack', packId: payment.productId as CreditPackId }
        : { kind: 'plan', planId: payment.productId as PlanId },
    status: payment.status,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    credits: payment.credits,
    failureReason: payment.failureReason,
    createdAt: payment.createdAt.toISOString(),
    settledAt: payment.settledAt?.toISOString() ?? null,
  };
}

/** How far along a payment is; an event never moves a payment backwards. */
const RANK: Record<PaymentStatus, number> = { pending: 0, authorized: 1, executed: 2, failed: 3, settled: 4 };

export function movesForward(from: PaymentStatus, to: PaymentStatus): boolean {
  return RANK[to] > RANK[from];
}
