import { Injectable } from '@nestjs/common';
import type { OrganizationRef, TeamRole } from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';

export interface InvitationRow {
  id: string;
  teamId: string;
  email: string | null;
  role: TeamRole;
  invitedBy: string;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  revokedAt: Date | null;
}

/** An invitation with what its link shows before it is accepted. */
export interface InvitationWithTeam extends InvitationRow {
  teamName: string;
  teamPersonal: boolean;
  organization: OrganizationRef | null;
}

type SqlRow = {
  id: string;
  team_id: string;
  email: string | null;
  role: TeamRole;
  invited_by: string;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
};

const COLUMNS = `i.id, i.team_id, i.email, i.role, i.invited_by, i.created_at, i.expires_at, i.accepted_at,
  i.accepted_by, i.revoked_at`;

function invitationOf(row: SqlRow): InvitationRow {
  return {
    id: row.id,
    teamId: row.team_id,
    email: row.email,
    role: row.role,
    invitedBy: row.invited_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    acceptedBy: row.accepted_by,
    revokedAt: row.revoked_at,
  };
}

/** Owns the SQL of `team_invitations`. Tokens are never stored: only their SHA-256. */
@Injectable()
export class InvitationsRepository {
  constructor(private readonly db: Database) {}

  async create(
    invitation: {
      teamId: string;
      tokenHash: string;
      email: string | null;
      role: TeamRole;
      invitedBy: string;
      expiresInDays: number;
    },
    sql: Sql,
  ): Promise<InvitationRow> {
    const [row] = await sql.query<SqlRow>(
      `INSERT INTO team_invitations AS i (team_id, token_hash, email, role, invited_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6))
       RETURNING ${COLUMNS}`,
      [
        invitation.teamId,
        invitation.tokenHash,
        invitation.email,
        invitation.role,
        invitation.invitedBy,
        invitation.expiresInDays,
      ],
    );
    return invitationOf(row);
  }

  /** The team's invitations, newest first. */
  async list(teamId: string, sql: Sql = this.db): Promise<InvitationRow[]> {
    const rows = await sql.query<SqlRow>(
      `SELECT ${COLUMNS} FROM team_invitations i WHERE i.team_id = $1 ORDER BY i.created_at DESC, i.id`,
      [teamId],
    );
    return rows.map(invitationOf);
  }

  /** The invitation of the team with this id, locked for the caller's transaction. */
  async lockInTeam(teamId: string, invitationId: string, sql: Sql): Promise<InvitationRow | null> {
    const rows = await sql.query<SqlRow>(
      `SELECT ${COLUMNS} FROM team_invitations i WHERE i.team_id = $1 AND i.id = $2 FOR UPDATE`,
      [teamId, invitationId],
    );
    return rows.length > 0 ? invitationOf(rows[0]) : null;
  }

  /** The invitation a link's token hashes to, with its team; `lock` locks it for the caller's transaction. */
  async byTokenHash(
    tokenHash: string,
    lock: boolean,
    sql: Sql = this.db,
  ): Promise<InvitationWithTeam | null> {
    const rows = await sql.query<
      SqlRow & {
        team_name: string;
        team_personal: boolean;
        organization_id: string | null;
        organization_name: string | null;
      }
    >(
      `SELECT ${COLUMNS}, a.name AS team_name, a.personal AS team_personal,
              o.id AS organization_id, o.name AS organization_name
         FROM team_invitations i
         JOIN accounts a ON a.id = i.team_id
         LEFT JOIN organizations o ON o.id = a.organization_id
        WHERE i.token_hash = $1 ${lock ? 'FOR UPDATE OF i' : ''}`,
      [tokenHash],
    );
    if (rows.length === 0) return null;
    const [row] = rows;
    return {
      ...invitationOf(row),
      teamName: row.team_name,
      teamPersonal: row.team_personal,
      organization: row.organization_id
        ? { id: row.organization_id, name: row.organization_name ?? '' }
        : null,
    };
  }

  async revoke(invitationId: string, sql: Sql): Promise<void> {
    await sql.execute(`UPDATE team_invitations SET revoked_at = now() WHERE id = $1`, [invitationId]);
  }

  async accept(invitationId: string, userId: string, sql: Sql): Promise<void> {
    await sql.execute(`UPDATE team_invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1`, [
      invitationId,
      userId,
    ]);
  }
}
