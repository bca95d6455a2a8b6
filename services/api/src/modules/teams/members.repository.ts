import { Injectable } from '@nestjs/common';
import type { MembershipSource, TeamRole } from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';
import { JOB_COMMITTED_CREDITS_SQL } from './quota-month.ts';

export interface Membership {
  userId: string;
  role: TeamRole;
}

export interface MemberRow extends Membership {
  email: string | null;
  source: MembershipSource;
  joinedAt: Date;
  creditsThisMonth: number;
}

/** Owns the SQL of `team_members`. */
@Injectable()
export class MembersRepository {
  constructor(private readonly db: Database) {}

  /**
   * Every membership of the team, locked for the caller's transaction. Each change to a team's
   * members takes these locks first, so two changes to one team run one after the other and each
   * sees the other's outcome: two admins demoting the last two owners at once leave one owner.
   */
  async lockAll(teamId: string, sql: Sql): Promise<Membership[]> {
    return sql.query<Membership>(
      `SELECT user_id AS "userId", role FROM team_members WHERE team_id = $1 ORDER BY user_id FOR UPDATE`,
      [teamId],
    );
  }

  /** The team's members, owners first, each with the credits they committed since `monthStart`. */
  async list(teamId: string, monthStart: Date, sql: Sql = this.db): Promise<MemberRow[]> {
    const rows = await sql.query<{
      user_id: string;
      email: string | null;
      role: TeamRole;
      source: MembershipSource;
      joined_at: Date;
      credits_this_month: number;
    }>(
      `SELECT m.user_id, u.email, m.role, m.source, m.joined_at,
              (SELECT coalesce(sum(${JOB_COMMITTED_CREDITS_SQL}), 0)::int FROM jobs j
                WHERE j.account_id = m.team_id AND j.user_id = m.user_id AND j.created_at >= $2) AS credits_this_month
         FROM team_members m JOIN users u ON u.id = m.user_id
        WHERE m.team_id = $1
        ORDER BY array_position(ARRAY['owner', 'admin', 'member', 'viewer'], m.role), m.joined_at, m.user_id`,
      [teamId, monthStart],
    );
    return rows.map((row) => ({
      userId: row.user_id,
      email: row.email,
      role: row.role,
      source: row.source,
      joinedAt: row.joined_at,
      creditsThisMonth: row.credits_this_month,
    }));
  }

  /** Adds the membership; false when the person is already a member (nothing changes then). */
  async add(
    teamId: string,
    userId: string,
    role: TeamRole,
    source: MembershipSource,
    sql: Sql,
  ): Promise<boolean> {
    const changed = await sql.execute(
      `INSERT INTO team_members (team_id, user_id, role, source) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [teamId, userId, role, source],
    );
    return changed === 1;
  }

  async setRole(teamId: string, userId: string, role: TeamRole, sql: Sql): Promise<void> {
    await sql.execute(`UPDATE team_members SET role = $3 WHERE team_id = $1 AND user_id = $2`, [
      teamId,
      userId,
      role,
    ]);
  }

  async remove(teamId: string, userId: string, sql: Sql): Promise<void> {
    await sql.execute(`DELETE FROM team_members WHERE team_id = $1 AND user_id = $2`, [teamId, userId]);
  }

  /** The role `userId` holds in the team, or null when they are not in it. */
  async roleOf(teamId: string, userId: string, sql: Sql = this.db): Promise<TeamRole | null> {
    const rows = await sql.query<{ role: TeamRole }>(
      `SELECT role FROM team_members WHERE team_id = $1 AND user_id = $2`,
      [teamId, userId],
    );
    return rows[0]?.role ?? null;
  }
}
