import { Injectable } from '@nestjs/common';
import type { PaymentStatus } from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';
import { camelized } from '../../core/database/camelized.ts';

export interface Payment {
  id: string;
  accountId: string;
  provider: string;
  providerPaymentId: string;
  status: PaymentStatus;
  productKind: 'pack' | 'plan';
  productId: string;
  amountMinor: number;
  currency: 'GBP';
  credits: number;
  failureReason: string | null;
  settledAt: Date | null;
  createdAt: Date;
}

export type NewPayment = Pick<
  Payment,
  | 'id'
  | 'accountId'
  | 'provider'
  | 'providerPaymentId'
  | 'productKind'
  | 'productId'
  | 'amountMinor'
  | 'credits'
>;

interface PaymentRow {
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

function toPayment(row: PaymentRow): Payment {
  return camelized(row);
}

/** Owns the SQL of `payments` and `payment_webhook_events`. */
@Injectable()
export class PaymentsRepository {
  constructor(private readonly db: Database) {}

  /** A new payment, `pending`, in GBP. */
  async insert(payment: NewPayment, sql: Sql = this.db): Promise<Payment> {
    const [row] = await sql.query<PaymentRow>(
      `INSERT INTO payments (id, account_id, provider, provider_payment_id, status, product_kind, product_id,
                             amount_minor, currency, credits)
       VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, 'GBP', $8) RETURNING *`,
      [
        payment.id,
        payment.accountId,
        payment.provider,
        payment.providerPaymentId,
        payment.productKind,
        payment.productId,
        payment.amountMinor,
        payment.credits,
      ],
    );
    return toPayment(row);
  }

  /** An account's payments, newest first: at most `limit`, after `(createdAt, id)` when given. */
  async page(
    accountId: string,
    after: readonly [string, string] | null,
    limit: number,
    sql: Sql = this.db,
  ): Promise<Payment[]> {
    const rows = await sql.query<PaymentRow>(
      `SELECT * FROM payments
        WHERE account_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [accountId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
    return rows.map(toPayment);
  }

  /** One of an account's payments by the provider's id, or by ours when `id` is given. */
  async findOwn(
    accountId: string,
    providerPaymentId: string,
    id: string | null,
    sql: Sql = this.db,
  ): Promise<Payment | null> {
    const [row] = await sql.query<PaymentRow>(
      `SELECT * FROM payments WHERE account_id = $1 AND (provider_payment_id = $2 OR ($3::uuid IS NOT NULL AND id = $3::uuid))`,
      [accountId, providerPaymentId, id],
    );
    return row ? toPayment(row) : null;
  }

  async get(id: string, sql: Sql = this.db): Promise<Payment> {
    const [row] = await sql.query<PaymentRow>(`SELECT * FROM payments WHERE id = $1`, [id]);
    return toPayment(row);
  }

  /** Locks the provider's payment for the caller's transaction; null when it is not ours. */
  async lockByProviderId(provider: string, providerPaymentId: string, sql: Sql): Promise<Payment | null> {
    const [row] = await sql.query<PaymentRow>(
      `SELECT * FROM payments WHERE provider = $1 AND provider_payment_id = $2 FOR UPDATE`,
      [provider, providerPaymentId],
    );
    return row ? toPayment(row) : null;
  }

  /**
   * Moves the payment to `status` (with its failure reason, or none), only while it still is in
   * `from` when given; answers the payment as moved, or null when it had moved meanwhile.
   */
  async moveStatus(
    id: string,
    status: PaymentStatus,
    failureReason: string | null,
    from?: PaymentStatus,
    sql: Sql = this.db,
  ): Promise<Payment | null> {
    const [row] = await sql.query<PaymentRow>(
      `UPDATE payments SET status = $2, failure_reason = $3, updated_at = now()
        WHERE id = $1 AND ($4::text IS NULL OR status = $4) RETURNING *`,
      [id, status, failureReason, from ?? null],
    );
    return row ? toPayment(row) : null;
  }

  async markSettled(id: string, sql: Sql = this.db): Promise<void> {
    await sql.execute(
      `UPDATE payments SET status = 'settled', settled_at = now(), failure_reason = NULL, updated_at = now() WHERE id = $1`,
      [id],
    );
  }

  /** Records a webhook event once: false when it was recorded before (a redelivery). */
  async recordEvent(
    event: { provider: string; eventId: string; eventType: string; providerPaymentId: string },
    sql: Sql = this.db,
  ): Promise<boolean> {
    const rows = await sql.query(
      `INSERT INTO payment_webhook_events (provider, event_id, event_type, provider_payment_id)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING event_id`,
      [event.provider, event.eventId, event.eventType, event.providerPaymentId],
    );
    return rows.length > 0;
  }
}
