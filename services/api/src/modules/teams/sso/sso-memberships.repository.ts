import { Injectable } from '@nestjs/common';
import type { MembershipSource, TeamRole } from '@cineweave/contracts';
import type { Sql } from '../../../core/database/database.ts';
import type { HeldMembership } from './sso-sync-plan.ts';

/** A team a mapping names, as the sync needs it. */
export interface MappedTeam {
  id: string;
  personal: boolean;
  organizationId: string | null;
}

/**
 * The SQL of SSO membership sync. Every method takes the sync's transaction: the person's row is
 * locked first, so two replicas syncing one person's first requests take turns.
 */
@Injectable()
export class SsoMembershipsRepository {
  /** Locks the person for the sync; false when they do not exist (yet). */
  async lockUser(userId: string, sql: Sql): Promise<boolean> {
    const rows = await sql.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [userId]);
    return rows.length > 0;
  }

  async teams(teamIds: string[], sql: Sql): Promise<MappedTeam[]> {
    if (teamIds.length === 0) return [];
    const rows = await sql.query<{ id: string; personal: boolean; organization_id: string | null }>(
      `SELECT id, personal, organization_id FROM accounts WHERE id = ANY ($1::uuid[])`,
      [teamIds],
    );
    return rows.map((row) => ({ id: row.id, personal: row.personal, organizationId: row.organization_id }));
  }

  /** The person's memberships the sync may touch or must respect: every `sso` one, and any in `teamIds`. */
  async held(
    userId: string,
    teamIds: string[],
    sql: Sql,
  ): Promise<(HeldMembership & { organizationId: string | null })[]> {
    const rows = await sql.query<{
      team_id: string;
      role: TeamRole;
      source: MembershipSource;
      organization_id: string | null;
    }>(
      `SELECT m.team_id, m.role, m.source, a.organization_id
         FROM team_members m JOIN accounts a ON a.id = m.team_id
        WHERE m.user_id = $1 AND (m.source = 'sso' OR m.team_id = ANY ($2::uuid[]))
        FOR UPDATE OF m`,
      [userId, teamIds],
    );
    return rows.map((row) => ({
      teamId: row.team_id,
      role: row.role,
      source: row.source,
      organizationId: row.organization_id,
    }));
  }

  /**
   * Whether the team keeps an owner without `userId`. Every membership of the team is locked, in
   * the order the team routes lock them (MembersRepository.lockAll), so a member change made at
   * the same moment runs before or after this one and the team is never left without an owner.
   */
  async hasOtherOwner(teamId: string, userId: string, sql: Sql): Promise<boolean> {
    const rows = await sql.query<{ user_id: string; role: TeamRole }>(
      `SELECT user_id, role FROM team_members WHERE team_id = $1 ORDER BY user_id FOR UPDATE`,
      [teamId],
    );
    return rows.some((row) => row.role === 'owner' && row.user_id !== userId);
  }

  async add(teamId: string, userId: string, role: TeamRole, sql: Sql): Promise<boolean> {
    return (
      (await sql.execute(
        `INSERT INTO team_members (team_id, user_id, role, source) VALUES ($1, $2, $3, 'sso')
         ON CONFLICT (team_id, user_id) DO NOTHING`,
        [teamId, userId, role],
      )) > 0
    );
  }

  async changeRole(teamId: string, userId: string, role: TeamRole, sql: Sql): Promise<boolean> {
    return (
      (await sql.execute(
        `UPDATE team_members SET role = $3 WHERE team_id = $1 AND user_id = $2 AND source = 'sso'`,
        [teamId, userId, role],
      )) > 0
    );
  }

  async remove(teamId: string, userId: string, sql: Sql): Promise<boolean> {
    return (
      (await sql.execute(`DELETE FROM team_members WHERE team_id = $1 AND user_id = $2 AND source = 'sso'`, [
        teamId,
        userId,
      ])) > 0
    );
  }
}
