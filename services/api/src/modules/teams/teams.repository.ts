import { Injectable } from '@nestjs/common';
import type { OrganizationRef, PlanId, TeamLimits, TeamRole } from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';
import { JOB_COMMITTED_CREDITS_SQL } from './quota-month.ts';

/** A team as one of its members lists it. */
export interface TeamSummaryRow {
  id: string;
  name: string;
  personal: boolean;
  organization: OrganizationRef | null;
  planId: PlanId;
  role: TeamRole;
  isDefault: boolean;
}

/** What the team page shows beyond the account row itself. */
export interface TeamFacts {
  organization: OrganizationRef | null;
  memberCount: number;
  monthCredits: number;
  planActiveJobLimit: number | null;
}

/** A team's row as a change to it reads it, locked. */
export type LockedTeam = { name: string; planId: PlanId; organizationId: string | null } & TeamLimits;

/** A team as an install admin lists it. */
export interface AdminTeamRow {
  id: string;
  name: string;
  personal: boolean;
  organization: OrganizationRef | null;
  planId: PlanId;
  balance: number;
  reserved: number;
  activeJobs: number;
  memberCount: number;
  createdAt: Date;
}

interface SummarySqlRow {
  id: string;
  name: string;
  personal: boolean;
  plan_id: PlanId;
  organization_id: string | null;
  organization_name: string | null;
  role: TeamRole;
  is_default: boolean;
}

const organizationOf = (id: string | null, name: string | null): OrganizationRef | null =>
  id === null ? null : { id, name: name ?? '' };

/**
 * The caller's default team exactly as `AccountsRepository.forMember` decides it: the chosen
 * default while they are still a member of it, else their personal team.
 */
const CALLER_DEFAULT_TEAM = `SELECT coalesce(
    (SELECT d.team_id FROM team_members d WHERE d.team_id = u.default_team_id AND d.user_id = u.id),
    (SELECT p.id FROM accounts p WHERE p.user_id = u.id)) AS default_team
  FROM users u WHERE u.id = $1`;

/**
 * Owns the SQL of `organizations` and of the team columns of `accounts` (name, organization,
 * limits, plan as admins set it). Credit totals move only through the ledger.
 */
@Injectable()
export class TeamsRepository {
  constructor(private readonly db: Database) {}

  /** The teams `userId` belongs to (`teamId`: only that one), personal first, then by name. */
  async summaries(
    userId: string,
    teamId: string | null = null,
    sql: Sql = this.db,
  ): Promise<TeamSummaryRow[]> {
    const rows = await sql.query<SummarySqlRow>(
      `WITH caller AS (${CALLER_DEFAULT_TEAM})
       SELECT a.id, a.name, a.personal, a.plan_id, o.id AS organization_id, o.name AS organization_name,
              m.role, coalesce(a.id = (SELECT default_team FROM caller), false) AS is_default
         FROM team_members m
         JOIN accounts a ON a.id = m.team_id
         LEFT JOIN organizations o ON o.id = a.organization_id
        WHERE m.user_id = $1 AND ($2::uuid IS NULL OR a.id = $2::uuid)
        ORDER BY a.personal DESC, a.name, a.id`,
      [userId, teamId],
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      personal: row.personal,
      organization: organizationOf(row.organization_id, row.organization_name),
      planId: row.plan_id,
      role: row.role,
      isDefault: row.is_default,
    }));
  }

  /** The organization, its members' count, this month's committed credits and the plan's job limit. */
  async facts(teamId: string, monthStart: Date, sql: Sql = this.db): Promise<TeamFacts> {
    const [row] = await sql.query<{
      organization_id: string | null;
      organization_name: string | null;
      member_count: number;
      month_credits: number;
      plan_active_job_limit: number | null;
    }>(
      `SELECT o.id AS organization_id, o.name AS organization_name,
              (SELECT count(*)::int FROM team_members m WHERE m.team_id = a.id) AS member_count,
              (SELECT coalesce(sum(${JOB_COMMITTED_CREDITS_SQL}), 0)::int FROM jobs j
                WHERE j.account_id = a.id AND j.created_at >= $2) AS month_credits,
              p.active_job_limit AS plan_active_job_limit
         FROM accounts a
         JOIN plans p ON p.id = a.plan_id
         LEFT JOIN organizations o ON o.id = a.organization_id
        WHERE a.id = $1`,
      [teamId, monthStart],
    );
    return {
      organization: organizationOf(row.organization_id, row.organization_name),
      memberCount: row.member_count,
      monthCredits: row.month_credits,
      planActiveJobLimit: row.plan_active_job_limit,
    };
  }

  async createOrganization(name: string, createdBy: string, sql: Sql): Promise<OrganizationRef> {
    const [row] = await sql.query<{ id: string; name: string }>(
      `INSERT INTO organizations (name, created_by) VALUES ($1, $2) RETURNING id, name`,
      [name, createdBy],
    );
    return row;
  }

  /** The organization, when `userId` owns a team in it; null otherwise (as if it did not exist). */
  async organizationOwnedBy(
    organizationId: string,
    userId: string,
    sql: Sql = this.db,
  ): Promise<OrganizationRef | null> {
    const rows = await sql.query<{ id: string; name: string }>(
      `SELECT o.id, o.name FROM organizations o
        WHERE o.id = $1 AND EXISTS (
          SELECT 1 FROM accounts a JOIN team_members m ON m.team_id = a.id
           WHERE a.organization_id = o.id AND m.user_id = $2 AND m.role = 'owner')`,
      [organizationId, userId],
    );
    return rows[0] ?? null;
  }

  /** A new (non-personal) team's account: on the free plan, with no credits until an admin grants some. */
  async createTeam(name: string, organizationId: string, sql: Sql): Promise<string> {
    const [row] = await sql.query<{ id: string }>(
      `INSERT INTO accounts (name, organization_id, plan_id) VALUES ($1, $2, 'free') RETURNING id`,
      [name, organizationId],
    );
    return row.id;
  }

  /** Locks the team's row (name, limits, plan) for the caller's transaction; null when there is no such team. */
  async lock(teamId: string, sql: Sql): Promise<LockedTeam | null> {
    const rows = await sql.query<{
      name: string;
      plan_id: PlanId;
      organization_id: string | null;
      active_job_limit: number | null;
      monthly_credit_quota: number | null;
      member_monthly_cap: number | null;
    }>(
      `SELECT name, plan_id, organization_id, active_job_limit, monthly_credit_quota, member_monthly_cap
         FROM accounts WHERE id = $1 FOR NO KEY UPDATE`,
      [teamId],
    );
    if (rows.length === 0) return null;
    const [row] = rows;
    return {
      name: row.name,
      planId: row.plan_id,
      organizationId: row.organization_id,
      activeJobLimit: row.active_job_limit,
      monthlyCreditQuota: row.monthly_credit_quota,
      memberMonthlyCap: row.member_monthly_cap,
    };
  }

  async rename(teamId: string, name: string, sql: Sql): Promise<void> {
    await sql.execute(`UPDATE accounts SET name = $2, updated_at = now() WHERE id = $1`, [teamId, name]);
  }

  async setLimits(teamId: string, limits: TeamLimits, sql: Sql): Promise<void> {
    await sql.execute(
      `UPDATE accounts SET active_job_limit = $2, monthly_credit_quota = $3, member_monthly_cap = $4, updated_at = now()
        WHERE id = $1`,
      [teamId, limits.activeJobLimit, limits.monthlyCreditQuota, limits.memberMonthlyCap],
    );
  }

  /**
   * An admin's plan: granted monthly (the monthly grant pays its credits), so a month bought
   * online ends here rather than lapsing back to free later.
   */
  async setPlan(teamId: string, planId: PlanId, sql: Sql): Promise<void> {
    await sql.execute(
      `UPDATE accounts SET plan_id = $2, plan_paid_until = NULL, updated_at = now() WHERE id = $1`,
      [teamId, planId],
    );
  }

  async setDefaultTeam(userId: string, teamId: string, sql: Sql): Promise<void> {
    await sql.execute(`UPDATE users SET default_team_id = $2 WHERE id = $1`, [userId, teamId]);
  }

  /** A removed member's default falls back (to their personal team) when it was the team they left. */
  async clearDefaultTeam(userId: string, teamId: string, sql: Sql): Promise<void> {
    await sql.execute(`UPDATE users SET default_team_id = NULL WHERE id = $1 AND default_team_id = $2`, [
      userId,
      teamId,
    ]);
  }

  /** Every team in creation order after `after` (exclusive), at most `limit`. */
  adminPage(after: [string, string] | null, limit: number, sql: Sql = this.db): Promise<AdminTeamRow[]> {
    return this.adminRows(
      // The cursor holds a JS Date (milliseconds); Postgres keeps microseconds. Both sides of the
      // keyset compare at milliseconds, or rows within one millisecond would repeat across pages.
      `($1::timestamptz IS NULL OR (date_trunc('milliseconds', a.created_at), a.id) > ($1::timestamptz, $2::uuid))
        ORDER BY date_trunc('milliseconds', a.created_at), a.id LIMIT $3`,
      [after?.[0] ?? null, after?.[1] ?? null, limit],
      sql,
    );
  }

  async adminTeam(teamId: string, sql: Sql = this.db): Promise<AdminTeamRow | null> {
    const [row] = await this.adminRows(`a.id = $1`, [teamId], sql);
    return row ?? null;
  }

  /** The admin's view of the teams `where` picks (and orders): one query for the list and for one team. */
  private async adminRows(where: string, values: unknown[], sql: Sql): Promise<AdminTeamRow[]> {
    const rows = await sql.query<{
      id: string;
      name: string;
      personal: boolean;
      organization_id: string | null;
      organization_name: string | null;
      plan_id: PlanId;
      balance: number;
      reserved: number;
      active_jobs: number;
      member_count: number;
      created_at: Date;
    }>(
      `SELECT a.id, a.name, a.personal, o.id AS organization_id, o.name AS organization_name, a.plan_id,
              a.balance, a.reserved, a.active_jobs,
              (SELECT count(*)::int FROM team_members m WHERE m.team_id = a.id) AS member_count, a.created_at
         FROM accounts a LEFT JOIN organizations o ON o.id = a.organization_id
        WHERE ${where}`,
      values,
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      personal: row.personal,
      organization: organizationOf(row.organization_id, row.organization_name),
      planId: row.plan_id,
      balance: row.balance,
      reserved: row.reserved,
      activeJobs: row.active_jobs,
      memberCount: row.member_count,
      createdAt: row.created_at,
    }));
  }
}
