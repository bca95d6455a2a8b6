import { Injectable, Logger } from '@nestjs/common';
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
import { Database, type Sql } from '../../core/database/database.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { AppConfig } from '../../core/config/app-config.ts';
import { notFound } from '../../core/errors/domain-error.ts';
import { TimestampCursorSchema, decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import { MetricsService } from '../../core/metrics/metrics.service.ts';
import { type Account, AccountsRepository } from '../accounts/accounts.repository.ts';
import { LedgerRepository } from '../ledger/ledger.repository.ts';
import { CatalogueService } from './catalogue.service.ts';
import { movesForward, toPaymentView } from './payment-view.ts';
import { type Payment, PaymentsRepository } from './payments.repository.ts';
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
    private readonly db: Database,
    private readonly payments: PaymentsRepository,
    private readonly accounts: AccountsRepository,
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
    const payment = await this.payments.insert({
      id,
      accountId: account.id,
      provider: PROVIDER,
      providerPaymentId: created.id,
      productKind: product.kind,
      productId: product.id,
      amountMinor: product.amountMinor,
      credits: product.credits,
    });
    this.logger.log({ paymentId: id, providerPaymentId: created.id, product: product.id }, 'Created payment');
    return {
      payment: toPaymentView(payment),
      checkoutUrl: this.truelayer.hostedPaymentPageUrl(created.id, created.resource_token),
    };
  }

  async list(account: Account, cursor: string | undefined, limit: number): Promise<Page<PaymentView>> {
    const after = decodeCursor(cursor, TimestampCursorSchema);
    const rows = await this.payments.page(account.id, after ?? null, limit + 1);
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
    const row = await this.payments.findOwn(account.id, id, UUID.test(id) ? id : null);
    if (!row) throw notFound(`Payment ${id}`);
    if (isFinalPaymentStatus(row.status)) return toPaymentView(row);
    try {
      const remote = await this.truelayer.getPayment(row.providerPaymentId);
      const status: PaymentStatus | undefined =
        remote.status === 'failed'
          ? 'failed'
          : remote.status === 'authorized'
            ? 'authorized'
            : remote.status === 'executed' || remote.status === 'settled'
              ? 'executed'
              : undefined;
      if (status && movesForward(row.status, status)) {
        const updated = await this.payments.moveStatus(
          row.id,
          status,
          status === 'failed' ? (remote.failure_reason ?? 'failed') : null,
          row.status,
        );
        if (updated) return toPaymentView(updated);
      }
    } catch (error) {
      this.logger.warn({ paymentId: row.id, error: (error as Error).message }, 'Could not refresh payment');
    }
    return toPaymentView(await this.payments.get(row.id));
  }

  /**
   * Applies one verified webhook event, once: the event id is recorded in the same transaction
   * that applies it, so a redelivery (concurrent or late) finds it and changes nothing.
   */
  async applyEvent(event: PaymentEvent): Promise<EventOutcome> {
    let credited = 0;
    const outcome = await this.db.transaction(async (tx): Promise<EventOutcome> => {
      if (!event.payment_id) return 'ignored';
      // The row lock first: redeliveries of one payment's events queue here, one at a time.
      const payment = await this.payments.lockByProviderId(PROVIDER, event.payment_id, tx);
      if (!payment) {
        // Not recorded: should the payment appear later, a redelivery still applies.
        this.logger.warn({ eventId: event.event_id, type: event.type }, 'Webhook for an unknown payment');
        return 'ignored';
      }
      const recorded = await this.payments.recordEvent(
        {
          provider: PROVIDER,
          eventId: event.event_id,
          eventType: event.type,
          providerPaymentId: event.payment_id,
        },
        tx,
      );
      if (!recorded) return 'duplicate';
      if (event.type === this.creditOn) {
        if (!movesForward(payment.status, 'settled')) return 'ignored';
        credited = await this.fulfil(tx, payment);
        return 'applied';
      }
      const next: PaymentStatus | undefined = STATUS_OF_EVENT[event.type];
      if (!next || !movesForward(payment.status, next)) return 'ignored';
      await this.payments.moveStatus(
        payment.id,
        next,
        next === 'failed' ? (event.failure_reason ?? 'failed') : null,
        undefined,
        tx,
      );
      return 'applied';
    });
    if (credited > 0) this.metrics.creditsToppedUp.inc(credited);
    return outcome;
  }

  /** Credits the pack, or switches the plan for a month with its credits. Idempotency key: the payment id. */
  private async fulfil(tx: Sql, payment: Payment): Promise<number> {
    const system = { type: 'system' as const, id: `system:payments:${PROVIDER}` };
    if (payment.productKind === 'plan') {
      const account = await this.accounts.plan(payment.accountId, tx);
      await this.audit.record(
        {
          action: 'plan.changed',
          target: { type: 'account', id: payment.accountId },
          before: { plan: account.planId, paidUntil: account.planPaidUntil?.toISOString() ?? null },
          after: { plan: payment.productId, paymentId: payment.id },
          actor: system,
        },
        tx,
      );
      await this.accounts.buyPlanMonth(payment.accountId, payment.productId, tx);
    }
    if (payment.credits > 0) {
      await this.ledger.record(
        [
          {
            accountId: payment.accountId,
            kind: 'topup',
            amount: payment.credits,
            reference: payment.id,
            reason:
              payment.productKind === 'plan'
                ? `The ${payment.productId} plan's credits for a month, bought online`
                : `Credit pack ${payment.productId}, bought online`,
            actor: PROVIDER,
          },
        ],
        tx,
      );
    }
    await this.payments.markSettled(payment.id, tx);
    await this.audit.record(
      {
        action: 'payment.credited',
        target: { type: 'payment', id: payment.id },
        before: { status: payment.status },
        after: {
          status: 'settled',
          accountId: payment.accountId,
          product: `${payment.productKind}:${payment.productId}`,
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
