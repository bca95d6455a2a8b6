import { DEFAULT_PRICING, type PricingTable } from '@cineweave/contracts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, checkInvariants, dev, startHarness } from './support/harness.ts';

/** Every resolution priced differently from DEFAULT_PRICING, so a default price cannot pass. */
const CUSTOM: PricingTable = {
  creditsPerSecond: { '1280x704': 13, '704x1280': 13, '640x352': 4, '352x640': 4 },
  minimumCredits: 7,
};

describe('PRICING_TABLE_FILE', () => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cw-pricing-'));
    const file = join(dir, 'pricing.json');
    writeFileSync(file, JSON.stringify(CUSTOM));
    h = await startHarness('pricing', { PRICING_TABLE_FILE: file });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should quote from the configured table when one is given', async () => {
    expect(DEFAULT_PRICING.creditsPerSecond['1280x704']).not.toBe(13);
    const quote = await request(h.server)
      .get('/v1/pricing/quote')
      .query({ resolution: '1280x704', durationSeconds: 2 })
      .expect(200);
    expect(quote.body.credits).toBe(26);
    const short = await request(h.server)
      .get('/v1/pricing/quote')
      .query({ resolution: '640x352', durationSeconds: 1 })
      .expect(200);
    expect(short.body.credits).toBe(7);
  });

  it("should reserve the configured table's price at admission", async () => {
    const user = 'priced-by-table';
    const created = await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev(user))
      .send({ prompt: 'a lighthouse in a storm', resolution: '1280x704', durationSeconds: 2 })
      .expect(202);
    expect(created.body.creditsReserved).toBe(26);
    const reserve = await h.db.query(
      `SELECT reserved_delta FROM credit_ledger WHERE kind = 'reserve' AND job_id = $1`,
      [created.body.id],
    );
    expect(reserve.rows).toEqual([{ reserved_delta: 26 }]);
    const credits = await request(h.server).get('/v1/credits').set('Authorization', dev(user)).expect(200);
    expect(credits.body.reserved).toBe(26);
    await checkInvariants(h.db);
  });
});
