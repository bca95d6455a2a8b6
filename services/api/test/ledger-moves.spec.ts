import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../src/core/database/database.ts';
import { LedgerRepository } from '../src/modules/ledger/ledger.repository.ts';
import { type Harness, checkInvariants, dev, startHarness } from './support/harness.ts';

describe(LedgerRepository.name, () => {
  let h: Harness;
  let ledger: LedgerRepository;
  let db: Database;

  beforeAll(async () => {
    h = await startHarness('ledger_moves');
    ledger = h.app.get(LedgerRepository, { strict: false });
    db = h.app.get(Database);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function account(user: string): Promise<string> {
    await request(h.server).post('/v1/users/init').set('Authorization', dev(user)).expect(200);
    const { rows } = await h.db.query(`SELECT id FROM accounts WHERE user_id = $1`, [user]);
    return rows[0].id as string;
  }

  const totals = async (id: string) =>
    (await h.db.query(`SELECT balance, reserved, active_jobs FROM accounts WHERE id = $1`, [id])).rows[0];

  it('should add up several moves of one account in one call when they come together', async () => {
    const [a, b] = [await account('ledger-a'), await account('ledger-b')];
    await ledger.record([
      { accountId: a, kind: 'grant', amount: 30, reason: 'first', actor: 'test' },
      { accountId: b, kind: 'adjust', amount: -40, reason: 'other account', actor: 'test' },
      { accountId: a, kind: 'adjust', amount: -5, reason: 'second', actor: 'test' },
    ]);
    expect(await totals(a)).toEqual({ balance: 125, reserved: 0, active_jobs: 0 });
    expect(await totals(b)).toEqual({ balance: 60, reserved: 0, active_jobs: 0 });
    const rows = await h.db.query(
      `SELECT amount, reason FROM credit_ledger WHERE account_id = $1 AND actor = 'test' ORDER BY id`,
      [a],
    );
    expect(rows.rows).toEqual([
      { amount: 30, reason: 'first' },
      { amount: -5, reason: 'second' },
    ]);
    await checkInvariants(h.db);
  });

  it('should change nothing when one move of a call is refused', async () => {
    const id = await account('ledger-refused');
    const reference = `once:${id}`;
    await ledger.record([{ accountId: id, kind: 'grant', amount: 10, reference }]);
    await expect(
      ledger.record([
        { accountId: id, kind: 'grant', amount: 7 },
        { accountId: id, kind: 'grant', amount: 10, reference },
      ]),
    ).rejects.toThrow(/credit_ledger_reference/);
    expect(await totals(id)).toEqual({ balance: 110, reserved: 0, active_jobs: 0 });
    await expect(ledger.record([{ accountId: id, kind: 'adjust', amount: -111 }])).rejects.toThrow(
      /accounts_available_not_negative/,
    );
    expect(await totals(id)).toEqual({ balance: 110, reserved: 0, active_jobs: 0 });
    await checkInvariants(h.db);
  });

  it("should commit with the caller's transaction and roll back with it", async () => {
    const id = await account('ledger-tx');
    await expect(
      db.transaction(async (tx) => {
        await ledger.record([{ accountId: id, kind: 'grant', amount: 50 }], tx);
        expect(await ledger.hasReference('grant', `signup:${id}`, tx)).toBe(true);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await totals(id)).toEqual({ balance: 100, reserved: 0, active_jobs: 0 });
    await db.transaction((tx) => ledger.record([{ accountId: id, kind: 'grant', amount: 50 }], tx));
    expect(await totals(id)).toEqual({ balance: 150, reserved: 0, active_jobs: 0 });
    const page = await ledger.page(id, null, 10);
    expect(page.map((entry) => [entry.kind, entry.amount])).toEqual([
      ['grant', 50],
      ['grant', 100],
    ]);
    expect(await ledger.page(id, page[0].id, 10)).toEqual([page[1]]);
    await checkInvariants(h.db);
  });
});
