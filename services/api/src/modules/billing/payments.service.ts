import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type CheckoutRequest,
  type CheckoutResponse,
  type Page,
  type PaymentStatus,
  type PaymentView,
  isFinalPaymentStatus,
} from '@cineweave/contracts';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { Database, type Sql } from '../../core/database/database.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { AppConfig } from '../../core/config/app-config.ts';
import { returningRows } from '../../core/database/returning.ts';
import { notFound } from '../../core/errors/domain-error.ts';
import { TimestampCursorSchema, decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import { MetricsService } from '../../core/metrics/metrics.service.ts';
import type { Account } from '../accounts/accounts.service.ts';
import { LedgerRepository } from '../credits/ledger.repository.ts';
import { CatalogueService } from './catalogue.service.ts';
import { type PaymentRow, movesForward, toPaymentView } from './payment-row.ts';
import { TrueLayerClient } from './truelayer/truelayer-client.ts';
import { trueLayerSettings } from './truelayer/truelayer-settings.ts';
import { AuditService } from '../audit/audit.service.ts';

const PROVIDER = 'truelayer';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The fields of a TrueLayer payment webhook this service acts on. */
export const PaymentEventSchema = z.object({
  type: z.string().min(1),
  event_id: z.string().min(1).max(200),
  payment_id: z.string().min(1).max(200).optional(),
  failure_reason: z.string().max(500).optional(),
});
export type PaymentEvent = z.infer<typeof PaymentEventSchema>;

/** Events that only move the status; the crediting event is handled apart. */
const STATUS_OF_EVENT: Partial<Record<string, PaymentStatus>> = {
  payment_authorized: 'authorized',
  payment_executed: 'executed',
  payment_failed: 'failed',
};

export type EventOutcome = 'applied' | 'duplicate' | 'ignored';

@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);
  private readonly creditOn: 'payment_settled' | 'payment_executed';

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly database: Database,
    private readonly ledger: LedgerRepository,
    private readonly catalogue: CatalogueService,
    private readonly truelayer: TrueLayerClient,
    private readonly metrics: MetricsService,
    private readonly audit: AuditService,
    config: AppConfig,
  ) {
    this.creditOn = trueLayerSettings(config.env).creditOn;
  }

  /**
   * The provider's payment is created first, the row second: a provider failure leaves no row,
   * so there is never a `pending` payment that cannot be paid. Should the insert fail after the
   * provider accepted, the provider's payment simply expires unpaid.
   */
  async checkout(
    account: Account,
    principal: Principal,
    request: CheckoutRequest,
  ): Promise<CheckoutResponse> {
    const product = await this.catalogue.product(request);
    const id = randomUUID();
    const created = await this.truelayer.createPayment({
      idempotencyKey: id,
      amountMinor: product.amountMinor,
      user: {
        name: principal.email ?? principal.userId,
        ...(principal.email ? { email: principal.email } : {}),
      },
      reference: `CineWeave ${id.slice(0, 8)}`,
    });
    const [row]: PaymentRow[] = await this.db.query(
      `INSERT INTO payments (id, account_id, provider, provider_payment_id, status, product_kind, product_id,
                             amount_minor, currency, credits)
       VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, 'GBP', $8) RETURNING *`,
      [id, account.id, PROVIDER, created.id, product.kind, product.id, product.amountMinor, product.credits],
    );
    this.logger.log({ paymentId: id, providerPaymentId: created.id, product: product.id }, 'Created payment');
    return {
      payment: toPaymentView(row),
      checkoutUrl: this.truelayer.hostedPaymentPageUrl(created.id, created.resource_token),
    };
  }

  async list(account: Account, cursor: string | undefined, limit: number): Promise<Page<PaymentView>> {
    const after = decodeCursor(cursor, TimestampCursorSchema);
    const rows: PaymentRow[] = await this.db.query(
      `SELECT * FROM payments
        WHERE account_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [account.id, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
    );
    const items = rows.slice(0, limit).map(toPaymentView);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit ? encodeCursor([last.createdAt, last.id]) : null };
  }

  /**
   * One of the caller's payments, by our id or by TrueLayer's (the hosted page returns the payer
   * with the latter). While it is not final, TrueLayer is asked how it stands, so the status page
   * moves even when webhooks are slow; credits still wait for the verified webhook.
   */
  async get(account: Account, id: string): Promise<PaymentView> {
    const rows: PaymentRow[] = await this.db.query(
      `SELECT * FROM payments WHERE account_id = $1 AND (provider_payment_id = $2 OR ($3::uuid IS NOT NULL AND id = $3::uuid))`,
      [account.id, id, UUID.test(id) ? id : null],
    );
    if (rows.length === 0) throw notFound(`Payment ${id}`);
    const [row] = rows;
    if (isFinalPaymentStatus(row.status)) return toPaymentView(row);
    try {
      const remote = await this.truelayer.getPayment(row.provider_payment_id);
      const status: PaymentStatus | undefined =
        remote.status === 'failed'
          ? 'failed'
          : remote.status === 'authorized'
            ? 'authorized'
            : remote.status === 'executed' || remote.status === 'settled'
              ? 'executed'
              : undefined;
      if (status && movesForward(row.status, status)) {
        const [updated] = returningRows<PaymentRow>(
          await this.db.query(
            `UPDATE payments SET status = $2, failure_reason = $3, updated_at = now()
              WHERE id = $1 AND status = $4 RETURNING *`,
            [row.id, status, status === 'failed' ? (remote.failure_reason ?? 'failed') : null, row.status],
          ),
        );
        if (updated) return toPaymentView(updated);
      }
    } catch (error) {
      this.logger.warn({ paymentId: row.id, error: (error as Error).message }, 'Could not refresh payment');
    }
    return toPaymentView(
      (await this.db.query(`SELECT * FROM payments WHERE id = $1`, [row.id]))[0] as PaymentRow,
    );
  }

  /**
   * Applies one verified webhook event, once: the event id is recorded in the same transaction
   * that applies it, so a redelivery (concurrent or late) finds it and changes nothing.
   */
  async applyEvent(event: PaymentEvent): Promise<EventOutcome> {
    let credited = 0;
    const outcome = await this.database.transaction(async (tx): Promise<EventOutcome> => {
      if (!event.payment_id) return 'ignored';
      // The row lock first: redeliveries of one payment's events queue here, one at a time.
      const rows: PaymentRow[] = await tx.query(
        `SELECT * FROM payments WHERE provider = $1 AND provider_payment_id = $2 FOR UPDATE`,
        [PROVIDER, event.payment_id],
      );
      if (rows.length === 0) {
        // Not recorded: should the payment appear later, a redelivery still applies.
        this.logger.warn({ eventId: event.event_id, type: event.type }, 'Webhook for an unknown payment');
        return 'ignored';
      }
      const recorded: unknown[] = await tx.query(
        `INSERT INTO payment_webhook_events (provider, event_id, event_type, provider_payment_id)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING event_id`,
        [PROVIDER, event.event_id, event.type, event.payment_id],
      );
      if (recorded.length === 0) return 'duplicate';
      const [payment] = rows;
      if (event.type === this.creditOn) {
        if (!movesForward(payment.status, 'settled')) return 'ignored';
        credited = await this.fulfil(tx, payment);
        return 'applied';
      }
      const next: PaymentStatus | undefined = STATUS_OF_EVENT[event.type];
      if (!next || !movesForward(payment.status, next)) return 'ignored';
      await tx.query(
        `UPDATE payments SET status = $2, failure_reason = $3, updated_at = now() WHERE id = $1`,
        [payment.id, next, next === 'failed' ? (event.failure_reason ?? 'failed') : null],
      );
      return 'applied';
    });
    if (credited > 0) this.metrics.creditsToppedUp.inc(credited);
    return outcome;
  }

  /** Credits the pack, or switches the plan for a month with its credits. Idempotency key: the payment id. */
  private async fulfil(tx: Sql, payment: PaymentRow): Promise<number> {
    const system = { type: 'system' as const, id: `system:payments:${PROVIDER}` };
    if (payment.product_kind === 'plan') {
      const [account] = (await tx.query(`SELECT plan_id, plan_paid_until FROM accounts WHERE id = $1`, [
        payment.account_id,
      ])) as { plan_id: string; plan_paid_until: Date | null }[];
      await this.audit.record(
        {
          action: 'plan.changed',
          target: { type: 'account', id: payment.account_id },
          before: { plan: account.plan_id, paidUntil: account.plan_paid_until?.toISOString() ?? null },
          after: { plan: payment.product_id, paymentId: payment.id },
          actor: system,
        },
        tx,
      );
      // Buying the plan one already holds extends it; any other plan starts a fresh month now.
      await tx.query(
        `UPDATE accounts
            SET plan_paid_until = CASE WHEN plan_id = $2 AND plan_paid_until > now()
                                       THEN plan_paid_until + interval '1 month'
                                       ELSE now() + interval '1 month' END,
                plan_id = $2, updated_at = now()
          WHERE id = $1`,
        [payment.account_id, payment.product_id],
      );
    }
    if (payment.credits > 0) {
      await this.ledger.record(
        [
          {
            accountId: payment.account_id,
            kind: 'topup',
            amount: payment.credits,
            reference: payment.id,
            reason:
              payment.product_kind === 'plan'
                ? `The ${payment.product_id} plan's credits for a month, bought online`
                : `Credit pack ${payment.product_id}, bought online`,
            actor: PROVIDER,
          },
        ],
        tx,
      );
    }
    await tx.query(
      `UPDATE payments SET status = 'settled', settled_at = now(), failure_reason = NULL, updated_at = now() WHERE id = $1`,
      [payment.id],
    );
    await this.audit.record(
      {
        action: 'payment.credited',
        target: { type: 'payment', id: payment.id },
        before: { status: payment.status },
        after: {
          status: 'settled',
          accountId: payment.account_id,
          product: `${payment.product_kind}:${payment.product_id}`,
          credits: payment.credits,
        },
        actor: system,
      },
      tx,
    );
    this.logger.log({ paymentId: payment.id, credits: payment.credits }, 'Settled payment');
    return payment.credits;
  }
}
