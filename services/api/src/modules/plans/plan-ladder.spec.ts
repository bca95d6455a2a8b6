import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvSchema } from '../../core/config/config.schema.ts';
import { runMigrations } from '../../core/database/run-migrations.ts';
import { planLadderProblems, type PlanLimits } from './plan-ladder.ts';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const plan = (id: string, priceMinor: number | null, monthlyCredits: number, limit: number): PlanLimits => ({
  id,
  name: id,
  priceMinor,
  monthlyCredits,
  effectiveActiveJobLimit: limit,
});

describe(planLadderProblems.name, () => {
  it('should find nothing when every dearer plan gives at least as much', () => {
    expect(planLadderProblems([plan('free', 0, 100, 5), plan('starter', 900, 1000, 5)])).toEqual([]);
  });

  it('should name the plan and the limit when a dearer plan gives fewer videos at once', () => {
    expect(planLadderProblems([plan('Free', 0, 100, 5), plan('Starter', 900, 1000, 3)])).toEqual([
      'Starter gives 3 videos rendering at once, fewer than the cheaper Free (5)',
    ]);
  });

  it('should rank a plan without an online price above every priced one when comparing', () => {
    expect(planLadderProblems([plan('Pro', 2900, 5000, 10), plan('Enterprise', null, 4000, 50)])).toEqual([
      'Enterprise gives 4000 monthly credits, fewer than the cheaper Pro (5000)',
    ]);
  });
});

/** The defaults an install starts from: the API's own and the Helm chart's. */
const CONFIGURED_DEFAULTS: [string, number][] = [
  ['the API default', EnvSchema.shape.MAX_ACTIVE_JOBS_PER_USER.parse(undefined)],
  [
    'the Helm chart default',
    Number(
      /maxActiveJobsPerUser:\s*(\d+)/.exec(
        readFileSync(join(import.meta.dirname, '../../../../../charts/cineweave/values.yaml'), 'utf8'),
      )?.[1],
    ),
  ],
];

describe('the seeded plans', () => {
  const database = `cw_plans_${randomBytes(4).toString('hex')}`;
  let rows: {
    id: string;
    name: string;
    price_minor: number | null;
    monthly_credits: number;
    active_job_limit: number | null;
  }[];

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = `postgres://postgres@127.0.0.1:5432/${database}`;
    await runMigrations(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    rows = (await client.query(`SELECT * FROM plans ORDER BY sort_order`)).rows;
    await client.end();
  });

  afterAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it.each(CONFIGURED_DEFAULTS)(
    'should give no dearer plan less than a cheaper one with %s of MAX_ACTIVE_JOBS_PER_USER',
    (_, limit) => {
      expect(limit).toBeGreaterThanOrEqual(1);
      const plans = rows.map((row) => ({
        id: row.id,
        name: row.name,
        priceMinor: row.price_minor,
        monthlyCredits: row.monthly_credits,
        effectiveActiveJobLimit: row.active_job_limit ?? limit,
      }));
      expect(plans.map((seeded) => seeded.id)).toEqual(['free', 'starter', 'pro', 'enterprise']);
      expect(planLadderProblems(plans)).toEqual([]);
    },
  );
});
