import { Injectable } from '@nestjs/common';
import type { PlanId, TeamRole } from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';
import { camelized } from '../../core/database/camelized.ts';

/**
 * A team's account: its plan, cached credit totals and limits. Every team has exactly one (see
 * migration 1765400000000-teams): a personal team's `userId` is its person, other teams have none.
 */
export interface Account {
  id: string;
  userId: string | null;
  name: string;
  personal: boolean;
  organizationId: string | null;
  planId: PlanId;
  balance: number;
  reserved: number;
  activeJobs: number;
  activeJobLimit: number | null;
  monthlyCreditQuota: number | null;
  memberMonthlyCap: number | null;
  createdAt: string;
}

/** The team a request acts for, with the caller's role in it. */
export interface CallerTeam extends Account {
  role: TeamRole;
  isDefault: boolean;
}

/** An account's plan as a monthly grant or a payment sees it. */
export interface AccountPlan {
  planId: PlanId;
  monthlyCredits: number;
  /** Set while a plan bought online runs; null on plans granted monthly. */
  planPaidUntil: Date | null;
}

interface AccountRow {
  id: string;
  user_id: string | null;
  name: string;
  personal: boolean;
  organization_id: string | null;
  plan_id: PlanId;
  balance: number;
  reserved: number;
  active_jobs: number;
  active_job_limit: number | null;
  monthly_credit_quota: number | null;
  member_monthly_cap: number | null;
  created_at: Date;
}

const ACCOUNT_COLUMNS = `a.id, a.user_id, a.name, a.personal, a.organization_id, a.plan_id, a.balance, a.reserved,
  a.active_jobs, a.active_job_limit, a.monthly_credit_quota, a.member_monthly_cap, a.created_at`;

function toAccount(row: AccountRow): Account {
  return { ...camelized(row), createdAt: row.created_at.toISOString() };
}

/** Owns the SQL of `users` and `accounts` (the cached totals move with the ledger: LedgerRepository). */
@Injectable()
export class AccountsRepository {
  constructor(private readonly db: Database) {}

  /** A person's personal team. */
  async findByUser(userId: string, sql: Sql = this.db): Promise<Account | null> {
    const rows = await sql.query<AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.user_id = $1`,
      [userId],
    );
    return rows.length > 0 ? toAccount(rows[0]) : null;
  }

  /** The address the person's identity provider last gave (null: none, e.g. dev sign-in). */
  async emailOf(userId: string, sql: Sql = this.db): Promise<string | null> {
    const rows = await sql.query<{ email: string | null }>(`SELECT email FROM users WHERE id = $1`, [userId]);
    return rows[0]?.email ?? null;
  }

  async findById(teamId: string, sql: Sql = this.db): Promise<Account | null> {
    const rows = await sql.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1`, [
      teamId,
    ]);
    return rows.length > 0 ? toAccount(rows[0]) : null;
  }

  /**
   * The team `userId` acts for and their role in it: `teamId` when given, else their default
   * team, else their personal team. Null when they are not a member of it (or do not exist yet).
   * One statement: it runs on every authenticated request.
   */
  async forMember(userId: string, teamId: string | null, sql: Sql = this.db): Promise<CallerTeam | null> {
    const rows = await sql.query<AccountRow & { role: TeamRole; is_default: boolean }>(
      `WITH caller AS (
         SELECT coalesce(
                  (SELECT d.team_id FROM team_members d WHERE d.team_id = u.default_team_id AND d.user_id = u.id),
                  (SELECT p.id FROM accounts p WHERE p.user_id = u.id)) AS default_team
           FROM users u WHERE u.id = $1)
       SELECT ${ACCOUNT_COLUMNS}, m.role, (a.id = caller.default_team) AS is_default
         FROM caller
         JOIN team_members m ON m.user_id = $1 AND m.team_id = coalesce($2::uuid, caller.default_team)
         JOIN accounts a ON a.id = m.team_id`,
      [userId, teamId],
    );
    if (rows.length === 0) return null;
    const { role, is_default: isDefault, ...account } = rows[0];
    return { ...toAccount(account), role, isDefault };
  }

  /**
   * The user and their account on the free plan, unless the account exists: then null. Answers
   * the new account's id and the free plan's monthly credits (its sign-up grant).
   */
  async createOnFreePlan(
    userId: string,
    email: string | null,
    sql: Sql = this.db,
  ): Promise<{ id: string; monthlyCredits: number } | null> {
    await sql.query(`INSERT INTO users (id, email) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [
      userId,
      email,
    ]);
    const rows = await sql.query<{ id: string; monthly_credits: number }>(
      `INSERT INTO accounts (user_id, plan_id) VALUES ($1, 'free')
       ON CONFLICT (user_id) DO NOTHING
       RETURNING id, (SELECT monthly_credits FROM plans WHERE id = 'free') AS monthly_credits`,
      [userId],
    );
    return rows.length > 0 ? { id: rows[0].id, monthlyCredits: rows[0].monthly_credits } : null;
  }

  /** Locks the account's row for the caller's transaction and answers its balance. */
  async lockBalance(accountId: string, sql: Sql): Promise<{ balance: number; reserved: number }> {
    const [row] = await sql.query<{ balance: number; reserved: number }>(
      `SELECT balance, reserved FROM accounts WHERE id = $1 FOR UPDATE`,
      [accountId],
    );
    return { balance: Number(row.balance), reserved: Number(row.reserved) };
  }

  /** Locks the account's row for the caller's transaction and answers its plan, or null if there is none. */
  async lockPlan(accountId: string, sql: Sql): Promise<AccountPlan | null> {
    const [row] = await sql.query<{ plan_id: PlanId; monthly_credits: number; plan_paid_until: Date | null }>(
      `SELECT a.plan_id, p.monthly_credits, a.plan_paid_until
         FROM accounts a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1 FOR UPDATE OF a`,
      [accountId],
    );
    return row
      ? { planId: row.plan_id, monthlyCredits: row.monthly_credits, planPaidUntil: row.plan_paid_until }
      : null;
  }

  /** The account's plan and until when it is paid (null: granted monthly). */
  async plan(accountId: string, sql: Sql = this.db): Promise<{ planId: PlanId; planPaidUntil: Date | null }> {
    const [row] = await sql.query<{ plan_id: PlanId; plan_paid_until: Date | null }>(
      `SELECT plan_id, plan_paid_until FROM accounts WHERE id = $1`,
      [accountId],
    );
    return { planId: row.plan_id, planPaidUntil: row.plan_paid_until };
  }

  /**
   * A month of `planId` bought: buying the plan the account already holds extends it; any other
   * plan starts a fresh month now.
   */
  async buyPlanMonth(accountId: string, planId: string, sql: Sql = this.db): Promise<void> {
    await sql.execute(
      `UPDATE accounts
          SET plan_paid_until = CASE WHEN plan_id = $2 AND plan_paid_until > now()
                                     THEN plan_paid_until + interval '1 month'
                                     ELSE now() + interval '1 month' END,
              plan_id = $2, updated_at = now()
        WHERE id = $1`,
      [accountId, planId],
    );
  }

  /** Bought plans whose month ended by `now` fall back to free; answers each account and the plan it had. */
  async lapsePaidPlans(now: Date, sql: Sql = this.db): Promise<{ accountId: string; planId: PlanId }[]> {
    const rows = await sql.query<{ id: string; plan_id: PlanId }>(
      `UPDATE accounts a SET plan_id = 'free', plan_paid_until = NULL, updated_at = now()
         FROM accounts old WHERE old.id = a.id
          AND a.plan_paid_until IS NOT NULL AND a.plan_paid_until <= $1 RETURNING a.id, old.plan_id`,
      [now],
    );
    return rows.map((row) => ({ accountId: row.id, planId: row.plan_id }));
  }

  /**
   * Accounts owed `period`'s monthly grant (ledger reference `monthly:{account}:{period}`): on a
   * plan with monthly credits, not bought online, created before the month began, not granted yet.
   */
  async dueForMonthlyGrant(now: Date, period: string, sql: Sql = this.db): Promise<string[]> {
    const rows = await sql.query<{ id: string }>(
      `SELECT a.id FROM accounts a JOIN plans p ON p.id = a.plan_id
        WHERE p.monthly_credits > 0 AND a.plan_paid_until IS NULL
          AND a.created_at < date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
          AND NOT EXISTS (SELECT 1 FROM credit_ledger l WHERE l.kind = 'grant' AND l.reference = 'monthly:' || a.id || ':' || $2)`,
      [now, period],
    );
    return rows.map((row) => row.id);
  }
}
