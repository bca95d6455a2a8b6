import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MonthlyGrantsService,
  monthlyGrantReference,
} from '../src/modules/billing/monthly-grants.service.ts';
import { type Harness, checkInvariants, dev, startHarness } from './support/harness.ts';

/** The first instant of the month `offset` months from now, plus a day (UTC). */
function monthFromNow(offset: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 2));
}

describe(MonthlyGrantsService.name, () => {
  let h: Harness;
  let grants: MonthlyGrantsService;
  let counter = 0;

  beforeAll(async () => {
    // Payments off: an enterprise that charges internally. Monthly grants still run.
    h = await startHarness('billing_grants', { PAYMENTS_PROVIDER: 'none' });
    grants = h.app.get(MonthlyGrantsService);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function newAccount(): Promise<{ user: string; id: string }> {
    const user = `granted-${++counter}-${Date.now()}`;
    await request(h.server)
      .post('/v1/users/init')
      .set('Authorization', dev(user))
      .expect((r) => {
        expect([200, 201]).toContain(r.status);
      });
    const { rows } = await h.db.query(`SELECT id FROM accounts WHERE user_id = $1`, [user]);
    return { user, id: rows[0].id as string };
  }

  async function grantsOf(accountId: string): Promise<{ reference: string; amount: number }[]> {
    const { rows } = await h.db.query(
      `SELECT reference, amount FROM credit_ledger WHERE account_id = $1 AND kind = 'grant' ORDER BY id`,
      [accountId],
    );
    return rows as { reference: string; amount: number }[];
  }

  it('should grant nothing more in the month an account was created, when the sign-up grant covers it', async () => {
    const { id } = await newAccount();
    await grants.run(new Date());
    expect(await grantsOf(id)).toEqual([{ reference: `signup:${id}`, amount: 100 }]);
  });

  it('should grant once per account and period when runs overlap and repeat', async () => {
    const { id } = await newAccount();
    const next = monthFromNow(1);
    await Promise.all(Array.from({ length: 5 }, () => grants.run(next)));
    await grants.run(next);
    await grants.run(new Date(next.getTime() + 3 * 86_400_000));
    const period = next.toISOString().slice(0, 7);
    expect(await grantsOf(id)).toEqual([
      { reference: `signup:${id}`, amount: 100 },
      { reference: monthlyGrantReference(id, period), amount: 100 },
    ]);

    const after = monthFromNow(2);
    await grants.run(after);
    expect((await grantsOf(id)).map((grant) => grant.reference)).toContain(
      monthlyGrantReference(id, after.toISOString().slice(0, 7)),
    );
    await checkInvariants(h.db);
  });

  it("should grant the plan's own monthly credits when an admin put the account on enterprise", async () => {
    const { id } = await newAccount();
    await h.db.query(`UPDATE accounts SET plan_id = 'enterprise' WHERE id = $1`, [id]);
    await grants.run(monthFromNow(1));
    expect((await grantsOf(id)).at(-1)?.amount).toBe(50_000);
  });

  it('should skip a plan bought online until its month runs out, then fall back to free and grant free', async () => {
    const { id, user } = await newAccount();
    const paidUntil = new Date(monthFromNow(1).getTime() + 10 * 86_400_000);
    await h.db.query(`UPDATE accounts SET plan_id = 'pro', plan_paid_until = $2 WHERE id = $1`, [
      id,
      paidUntil,
    ]);
    await grants.run(monthFromNow(1));
    expect(await grantsOf(id)).toHaveLength(1);

    const lapsed = new Date(paidUntil.getTime() + 86_400_000);
    await grants.run(lapsed);
    const credits = await request(h.server).get('/v1/credits').set('Authorization', dev(user)).expect(200);
    expect(credits.body.plan).toBe('free');
    expect((await grantsOf(id)).at(-1)).toEqual({
      reference: monthlyGrantReference(id, lapsed.toISOString().slice(0, 7)),
      amount: 100,
    });
    await checkInvariants(h.db);
  });

  describe('with PAYMENTS_PROVIDER=none', () => {
    it.each([
      ['GET', '/v1/billing/catalogue'],
      ['POST', '/v1/billing/checkout'],
      ['GET', '/v1/billing/payments'],
      ['POST', '/v1/webhooks/truelayer'],
    ])('should answer 404 problem+json when %s %s is called', async (method, path) => {
      const response = await request(h.server)
        [method === 'GET' ? 'get' : 'post'](path)
        .set('Authorization', dev('someone'))
        .send(method === 'POST' ? { packId: 'pack-500' } : undefined);
      // /v1/webhooks/:id (outgoing webhooks) answers GET, PATCH and DELETE on that path shape, so a
      // POST there is a wrong method (405 with Allow) rather than an unknown path: absent either way.
      expect(path === '/v1/webhooks/truelayer' ? [404, 405] : [404]).toContain(response.status);
      expect(response.headers['content-type']).toContain('application/problem+json');
    });

    it('should tell the portal payments are off when it asks /v1/config', async () => {
      const response = await request(h.server).get('/v1/config').expect(200);
      expect(response.body.paymentsProvider).toBe('none');
    });
  });
});
