import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PaymentsService } from '../src/modules/billing/payments.service.ts';
import { type Harness, checkInvariants, dev, startHarness } from './support/harness.ts';
import {
  type Fault,
  MERCHANT_ACCOUNT_ID,
  TrueLayerStandIn,
  type WebhookOptions,
} from './support/truelayer-stand-in.ts';

const WEBHOOK_PATH = '/v1/webhooks/truelayer';

describe(PaymentsService.name, () => {
  let h: Harness;
  let tl: TrueLayerStandIn;
  let counter = 0;

  beforeAll(async () => {
    tl = await TrueLayerStandIn.start();
    h = await startHarness('billing', { ...tl.env(), TRUELAYER_TIMEOUT_MS: '400' });
  });
  afterAll(async () => {
    await h?.close();
    await tl?.close();
  });
  beforeEach(() => {
    tl.faults = [];
  });

  /** The audit rows about one target (a payment, an account). */
  const auditRows = async (targetId: string) =>
    (await h.db.query(`SELECT * FROM audit_log WHERE target_id = $1 ORDER BY seq`, [targetId])).rows;

  const newUser = () => `buyer-${++counter}-${Date.now()}`;

  function checkout(user: string, body: Record<string, unknown>) {
    return request(h.server).post('/v1/billing/checkout').set('Authorization', dev(user)).send(body);
  }

  async function webhook(event: Record<string, unknown>, options: WebhookOptions = {}) {
    const signed = await tl.signWebhook(WEBHOOK_PATH, event, options);
    const response = await fetch(`${h.baseUrl}${WEBHOOK_PATH}`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const event = (type: string, providerPaymentId: string, extra: Record<string, unknown> = {}) => ({
    type,
    event_id: crypto.randomUUID(),
    event_version: 1,
    payment_id: providerPaymentId,
    payment_method: { type: 'bank_transfer' },
    ...extra,
  });

  async function balanceOf(user: string): Promise<number> {
    const response = await request(h.server).get('/v1/credits').set('Authorization', dev(user)).expect(200);
    return response.body.balance as number;
  }

  async function paymentRow(id: string) {
    const { rows } = await h.db.query(`SELECT * FROM payments WHERE id = $1`, [id]);
    return rows[0] as { status: string; provider_payment_id: string; failure_reason: string | null };
  }

  async function topups(paymentId: string): Promise<number> {
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n FROM credit_ledger WHERE kind = 'topup' AND reference = $1`,
      [paymentId],
    );
    return rows[0].n as number;
  }

  /** A pending pack payment of a fresh user, and TrueLayer's id for it. */
  async function pendingPack(packId = 'pack-2000') {
    const user = newUser();
    const response = await checkout(user, { packId }).expect(201);
    const id = response.body.payment.id as string;
    return { user, id, providerId: (await paymentRow(id)).provider_payment_id, response };
  }

  it('should list packs and the plans sold online with GBP prices in pence when asked for the catalogue', async () => {
    const response = await request(h.server).get('/v1/billing/catalogue').expect(200);
    expect(response.body.packs).toContainEqual({
      id: 'pack-2000',
      name: '2,000 credits',
      credits: 2000,
      priceMinor: 1800,
      currency: 'GBP',
    });
    expect(response.body.plans.map((plan: { id: string }) => plan.id)).toEqual(['starter', 'pro']);
    expect(response.body.plans[1]).toMatchObject({
      priceMinor: 2900,
      monthlyCredits: 5000,
      activeJobLimit: 10,
    });
  });

  it('should report truelayer as the payments provider when the portal asks /v1/config', async () => {
    const response = await request(h.server).get('/v1/config').expect(200);
    expect(response.body.paymentsProvider).toBe('truelayer');
  });

  it('should answer 502 problem+json and keep no payment row when TrueLayer fails to issue the first token', async () => {
    expect(tl.tokensIssued).toBe(0);
    await expectCleanUpstreamFailure({ route: 'token', status: 500 });
  });

  it('should credit the pack once when checkout, executed and settled webhooks run in order', async () => {
    const { user, id, providerId, response } = await pendingPack();
    const before = await balanceOf(user);

    const url = new URL(response.body.checkoutUrl as string);
    expect(url.origin + url.pathname).toBe('https://payment.truelayer-sandbox.com/payments');
    const fragment = new URLSearchParams(url.hash.slice(1));
    expect(fragment.get('payment_id')).toBe(providerId);
    expect(fragment.get('resource_token')).toBe(tl.payments.get(providerId)?.resourceToken);
    expect(fragment.get('return_uri')).toBe('http://localhost:4200/account/billing/return');
    expect(response.body.payment).toMatchObject({
      status: 'pending',
      amountMinor: 1800,
      credits: 2000,
      product: { kind: 'pack', packId: 'pack-2000' },
    });
    // The stand-in verified the request signature; the amount is the catalogue's.
    const created = tl.payments.get(providerId);
    expect(created?.idempotencyKey).toBe(id);
    expect(created?.body).toMatchObject({
      amount_in_minor: 1800,
      currency: 'GBP',
      payment_method: { beneficiary: { type: 'merchant_account', merchant_account_id: MERCHANT_ACCOUNT_ID } },
    });

    await expect(webhook(event('payment_executed', providerId))).resolves.toMatchObject({ status: 200 });
    expect((await paymentRow(id)).status).toBe('executed');
    expect(await balanceOf(user)).toBe(before);

    await expect(webhook(event('payment_settled', providerId))).resolves.toMatchObject({
      status: 200,
      body: { outcome: 'applied' },
    });
    expect(await balanceOf(user)).toBe(before + 2000);
    expect(await topups(id)).toBe(1);
    expect(await auditRows(id)).toEqual([
      expect.objectContaining({
        action: 'payment.credited',
        actor_type: 'system',
        actor_id: 'system:payments:truelayer',
      }),
    ]);

    const list = await request(h.server)
      .get('/v1/billing/payments')
      .set('Authorization', dev(user))
      .expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ id, status: 'settled', settledAt: expect.any(String) }),
    ]);
    await checkInvariants(h.db);
  });

  it('should reuse one access token when several checkouts run', async () => {
    const issued = tl.tokensIssued;
    await Promise.all([pendingPack('pack-500'), pendingPack('pack-500'), pendingPack('pack-500')]);
    expect(tl.tokensIssued - issued).toBe(0);
    expect(issued).toBeGreaterThanOrEqual(1);
  });

  it('should credit once when the same webhook arrives 10 times at once and 3 times later', async () => {
    const { user, id, providerId } = await pendingPack();
    const before = await balanceOf(user);
    const settled = event('payment_settled', providerId);
    const burst = await Promise.all(Array.from({ length: 10 }, () => webhook(settled)));
    expect(burst.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(burst.filter((answer) => answer.body.outcome === 'applied')).toHaveLength(1);
    expect(await auditRows(id)).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      await expect(webhook(settled)).resolves.toEqual({ status: 200, body: { outcome: 'duplicate' } });
    }
    expect(await balanceOf(user)).toBe(before + 2000);
    expect(await topups(id)).toBe(1);
    await checkInvariants(h.db);
  });

  it('should credit once and stay settled when settled arrives before executed', async () => {
    const { user, id, providerId } = await pendingPack('pack-500');
    const before = await balanceOf(user);
    await expect(webhook(event('payment_settled', providerId))).resolves.toMatchObject({ status: 200 });
    await expect(webhook(event('payment_executed', providerId))).resolves.toMatchObject({
      status: 200,
      body: { outcome: 'ignored' },
    });
    // A second, distinct settled event (a new event id) does not credit again either.
    await expect(webhook(event('payment_settled', providerId))).resolves.toMatchObject({
      body: { outcome: 'ignored' },
    });
    expect((await paymentRow(id)).status).toBe('settled');
    expect(await balanceOf(user)).toBe(before + 500);
    expect(await topups(id)).toBe(1);
  });

  it('should mark the payment failed and credit nothing when payment_failed arrives', async () => {
    const { user, id, providerId } = await pendingPack();
    const before = await balanceOf(user);
    await expect(
      webhook(
        event('payment_failed', providerId, { failure_reason: 'canceled', failure_stage: 'authorizing' }),
      ),
    ).resolves.toMatchObject({ status: 200 });
    const view = await request(h.server)
      .get(`/v1/billing/payments/${id}`)
      .set('Authorization', dev(user))
      .expect(200);
    expect(view.body).toMatchObject({ status: 'failed', failureReason: 'canceled' });
    expect(await balanceOf(user)).toBe(before);
  });

  it('should acknowledge a verified event for an unknown payment without recording it', async () => {
    const unknown = event('payment_settled', 'not-one-of-ours');
    await expect(webhook(unknown)).resolves.toEqual({ status: 200, body: { outcome: 'ignored' } });
    const { rows } = await h.db.query(`SELECT 1 FROM payment_webhook_events WHERE event_id = $1`, [
      unknown.event_id,
    ]);
    expect(rows).toHaveLength(0);
  });

  describe('unverified webhooks', () => {
    const cases: [string, WebhookOptions][] = [
      ['a forged signature', { forge: true }],
      ['a foreign jku', { forge: true, jku: 'FOREIGN' }],
      ['a modified timestamp', { tamperTimestamp: new Date(Date.now() - 1000).toISOString() }],
      ['a stale timestamp', { timestamp: new Date(Date.now() - 10 * 60_000) }],
      ['a modified body', { tamperBody: 'BODY' }],
    ];

    it.each(cases)('should answer 401 and change nothing when the webhook has %s', async (_case, options) => {
      const { user, id, providerId } = await pendingPack();
      const before = await balanceOf(user);
      const settled = event('payment_settled', providerId);
      const foreignFetches = tl.hits('/attacker/jwks');
      const answer = await webhook(settled, {
        ...options,
        ...(options.jku ? { jku: tl.foreignJku } : {}),
        ...(options.tamperBody
          ? { tamperBody: JSON.stringify({ ...settled, payment_id: 'someone-else' }) }
          : {}),
      });
      expect(answer).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      expect(tl.hits('/attacker/jwks')).toBe(foreignFetches);
      expect((await paymentRow(id)).status).toBe('pending');
      expect(await balanceOf(user)).toBe(before);
      const { rows } = await h.db.query(`SELECT 1 FROM payment_webhook_events WHERE event_id = $1`, [
        settled.event_id,
      ]);
      expect(rows).toHaveLength(0);
      // The genuine event still applies afterwards: the refusal did not burn its id.
      await expect(webhook(settled)).resolves.toMatchObject({ status: 200, body: { outcome: 'applied' } });
    });

    it('should answer 401 when the webhook has no signature', async () => {
      const response = await fetch(`${h.baseUrl}${WEBHOOK_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'payment_settled', event_id: 'x', payment_id: 'y' }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    });
  });

  it('should switch the plan for a month with its credits when a plan payment settles', async () => {
    const user = newUser();
    const response = await checkout(user, { planId: 'pro' }).expect(201);
    expect(response.body.payment).toMatchObject({ amountMinor: 2900, credits: 5000 });
    const { id } = response.body.payment as { id: string };
    const before = await balanceOf(user);
    await webhook(event('payment_settled', (await paymentRow(id)).provider_payment_id));
    const credits = await request(h.server).get('/v1/credits').set('Authorization', dev(user)).expect(200);
    expect(credits.body).toMatchObject({ plan: 'pro', balance: before + 5000 });
    const { rows } = await h.db.query(
      `SELECT plan_paid_until > now() + interval '27 days' AND plan_paid_until < now() + interval '32 days' AS month
         FROM accounts WHERE user_id = $1`,
      [user],
    );
    expect(rows[0].month).toBe(true);
    await checkInvariants(h.db);
    const account = await h.db.query(`SELECT id FROM accounts WHERE user_id = $1`, [user]);
    expect(await auditRows(account.rows[0].id)).toEqual([
      expect.objectContaining({ action: 'plan.changed', before: expect.objectContaining({ plan: 'free' }) }),
    ]);
    expect(await auditRows(id)).toEqual([expect.objectContaining({ action: 'payment.credited' })]);
  });

  it.each([['free'], ['enterprise']])(
    'should refuse to sell the %s plan online without calling TrueLayer',
    async (planId) => {
      const calls = tl.hits('/v3/payments');
      const response = await checkout(newUser(), { planId }).expect(422);
      expect(response.body.code).toBe('UNPROCESSABLE');
      expect(tl.hits('/v3/payments')).toBe(calls);
    },
  );

  it.each([
    ['an amount chosen by the client', { packId: 'pack-500', amountMinor: 1 }],
    ['two products', { packId: 'pack-500', planId: 'pro' }],
    ['no product', {}],
    ['an unknown pack', { packId: 'pack-1' }],
  ])('should answer 400 and create nothing when checkout sends %s', async (_case, body) => {
    const user = newUser();
    const response = await checkout(user, body).expect(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n FROM payments p JOIN accounts a ON a.id = p.account_id WHERE a.user_id = $1`,
      [user],
    );
    expect(rows[0].n).toBe(0);
  });

  async function expectCleanUpstreamFailure(fault: Fault) {
    tl.faults.push(fault);
    const user = newUser();
    const started = Date.now();
    const response = await checkout(user, { packId: 'pack-500' }).expect(502);
    expect(Date.now() - started).toBeLessThan(1400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ code: 'UPSTREAM_FAILED', status: 502 });
    expect(response.body.detail).toMatch(/TrueLayer .*nothing was charged/i);
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n FROM payments p JOIN accounts a ON a.id = p.account_id WHERE a.user_id = $1`,
      [user],
    );
    expect(rows[0].n).toBe(0);
    // Nothing is stuck: the next checkout goes through.
    await checkout(user, { packId: 'pack-500' }).expect(201);
  }

  it.each<[string, Fault]>([
    ['answers 503 to the payment', { route: 'create-payment', status: 503 }],
    ['times out on the payment', { route: 'create-payment', delayMs: 1500 }],
  ])('should answer 502 problem+json and keep no payment row when TrueLayer %s', async (_case, fault) => {
    await expectCleanUpstreamFailure(fault);
  });

  it('should follow TrueLayer on GET and find a payment by either id when the status page polls', async () => {
    const { user, id, providerId } = await pendingPack();
    const atTrueLayer = tl.payments.get(providerId);
    if (!atTrueLayer) throw new Error('The stand-in holds no such payment');
    atTrueLayer.status = 'authorized';
    const byProviderId = await request(h.server)
      .get(`/v1/billing/payments/${providerId}`)
      .set('Authorization', dev(user))
      .expect(200);
    expect(byProviderId.body).toMatchObject({ id, status: 'authorized' });
    // Settled at TrueLayer is not credited by a poll: credits wait for the signed webhook.
    atTrueLayer.status = 'settled';
    const byId = await request(h.server)
      .get(`/v1/billing/payments/${id}`)
      .set('Authorization', dev(user))
      .expect(200);
    expect(byId.body.status).toBe('executed');
    expect(await topups(id)).toBe(0);
  });

  it("should answer 404 when someone asks for another user's payment", async () => {
    const { id } = await pendingPack();
    await request(h.server)
      .get(`/v1/billing/payments/${id}`)
      .set('Authorization', dev(newUser()))
      .expect(404);
    const list = await request(h.server)
      .get('/v1/billing/payments')
      .set('Authorization', dev(newUser()))
      .expect(200);
    expect(list.body.items).toEqual([]);
  });
});
