import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallerAccountPipe } from '../src/modules/accounts/current-account.decorator.ts';
import { type Harness, checkInvariants, dev, startHarness } from './support/harness.ts';

describe(CallerAccountPipe.name, () => {
  let h: Harness;
  let pipe: CallerAccountPipe;

  beforeAll(async () => {
    h = await startHarness('current_account');
    pipe = h.app.get(CallerAccountPipe, { strict: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('should resolve the account once per request when a request asks for it several times', async () => {
    const req = {
      principal: { userId: 'asked-twice', role: 'user' as const, via: 'dev' as const },
      headers: {},
    } as { account?: Promise<unknown> };
    const first = pipe.transform({ request: req, needs: 'viewer' } as never);
    const shared = req.account;
    const second = pipe.transform({ request: req, needs: 'member' } as never);
    expect(req.account).toBe(shared);
    const [account, again] = await Promise.all([first, second]);
    expect(again).toEqual(account);
    expect(account).toMatchObject({
      userId: 'asked-twice',
      planId: 'free',
      balance: 100,
      reserved: 0,
      personal: true,
      role: 'owner',
      isDefault: true,
    });
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n FROM accounts WHERE user_id = 'asked-twice'`,
    );
    expect(rows[0].n).toBe(1);
  });

  it('should create one account with one sign-up grant when a new caller sends requests at once', async () => {
    const user = 'first-contact';
    const answers = await Promise.all(
      ['/v1/credits', '/v1/credits/ledger', '/v1/me', '/v1/jobs'].map((path) =>
        request(h.server).get(path).set('Authorization', dev(user)),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers[0].body).toMatchObject({ balance: 100, reserved: 0, available: 100, plan: 'free' });
    const ledger = await h.db.query(
      `SELECT l.kind, l.amount FROM credit_ledger l JOIN accounts a ON a.id = l.account_id WHERE a.user_id = $1`,
      [user],
    );
    expect(ledger.rows).toEqual([{ kind: 'grant', amount: 100 }]);
    await checkInvariants(h.db);
  });

  it('should refuse a handler without authentication rather than guess an account', async () => {
    await expect(pipe.transform({ request: {}, needs: 'viewer' } as never)).rejects.toThrow(
      /without authentication/,
    );
  });
});
