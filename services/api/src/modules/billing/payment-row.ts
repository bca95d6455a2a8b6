import type { CreditPackId, PaymentStatus, PaymentView, PlanId } from '@cineweave/contracts';

export interface PaymentRow {
  id: string;
  account_id: string;
  provider: string;
  provider_payment_id: string;
  status: PaymentStatus;
  product_kind: 'pack' | 'plan';
  product_id: string;
  amount_minor: number;
  currency: 'GBP';
  credits: number;
  failure_reason: string | null;
  settled_at: Date | null;
  created_at: Date;
}

export function toPaymentView(row: PaymentRow): PaymentView {
  return {
    id: row.id,
    product:
      row.product_kind === 'pack'
        ? { kind: 'pack', packId: row.product_id as CreditPackId }
        : { kind: 'plan', planId: row.product_id as PlanId },
    status: row.status,
    amountMinor: row.amount_minor,
    currency: row.currency,
    credits: row.credits,
    failureReason: row.failure_reason,
    createdAt: row.created_at.toISOString(),
    settledAt: row.settled_at?.toISOString() ?? null,
  };
}

/** How far along a payment is; an event never moves a payment backwards. */
const RANK: Record<PaymentStatus, number> = { pending: 0, authorized: 1, executed: 2, failed: 3, settled: 4 };

export function movesForward(from: PaymentStatus, to: PaymentStatus): boolean {
  return RANK[to] > RANK[from];
}
