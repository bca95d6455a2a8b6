import { Injectable } from '@nestjs/common';
import type { TeamMemberView, TeamRole } from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { CallerTeam } from '../accounts/accounts.repository.ts';
import { AuditService } from '../audit/audit.service.ts';
import { type Membership, MembersRepository } from './members.repository.ts';
import { quotaMonth } from './quota-month.ts';
import { TeamAccess, requireTeamRole } from '../accounts/team-access.ts';
import { TeamsRepository } from './teams.repository.ts';

const memberNotFound = (userId: string, team: { name: string }) =>
  new DomainError('NOT_FOUND', `User ${userId} is not a member of team "${team.name}".`);

/** A team's members: the list, role changes and removals, each keeping at least one owner. */
@Injectable()
export class MembersService {
  constructor(
    private readonly db: Database,
    private readonly members: MembersRepository,
    private readonly teams: TeamsRepository,
    private readonly access: TeamAccess,
    private readonly audit: AuditService,
  ) {}

  async list(principal: Principal, teamId: string): Promise<TeamMemberView[]> {
    await this.access.require(principal, teamId, 'viewer');
    const rows = await this.members.list(teamId, quotaMonth().start);
    return rows.map((row) => ({ ...row, joinedAt: row.joinedAt.toISOString() }));
  }

  /**
   * Admins change roles; only an owner may make someone an owner or take it away, and the last
   * owner keeps it (someone else must be made owner first).
   */
  async changeRole(
    principal: Principal,
    teamId: string,
    userId: string,
    role: TeamRole,
  ): Promise<TeamMemberView> {
    const team = await this.access.require(principal, teamId, 'admin');
    await this.db.transaction(async (tx) => {
      const { callerRole, target, owners } = await this.locked(team, principal, userId, tx);
      requireTeamRole(team, callerRole, 'admin');
      if (!target) throw memberNotFound(userId, team);
      if (target.role === role) return;
      if ((role === 'owner' || target.role === 'owner') && callerRole !== 'owner') {
        throw new DomainError(
          'FORBIDDEN',
          `Only an owner of team "${team.name}" may make someone an owner or take it away; your role is ${callerRole}.`,
        );
      }
      if (target.role === 'owner' && owners === 1) {
        throw new DomainError(
          'CONFLICT',
          `${userId} is the last owner of team "${team.name}"; make someone else owner first.`,
        );
      }
      await this.members.setRole(teamId, userId, role, tx);
      await this.audit.record(
        {
          action: 'team.member-role-changed',
          target: { type: 'team-member', id: `${teamId}:${userId}` },
          before: { teamId, userId, role: target.role },
          after: { teamId, userId, role },
          organizationId: team.organizationId,
        },
        tx,
      );
    });
    const [view] = (await this.list(principal, teamId)).filter((member) => member.userId === userId);
    return view;
  }

  /**
   * Admins remove members (an owner only by an owner), anyone may leave; the last owner can do
   * neither. Whoever leaves a team that was their default acts for their personal team next.
   */
  async remove(principal: Principal, teamId: string, userId: string): Promise<void> {
    const leaving = userId === principal.userId;
    const team = await this.access.require(principal, teamId, leaving ? 'viewer' : 'admin');
    await this.db.transaction(async (tx) => {
      const { callerRole, target, owners } = await this.locked(team, principal, userId, tx);
      requireTeamRole(team, callerRole, leaving ? 'viewer' : 'admin');
      if (!target) throw memberNotFound(userId, team);
      if (target.role === 'owner' && owners === 1) {
        throw new DomainError(
          'CONFLICT',
          team.personal
            ? `Team "${team.name}" is ${userId}'s personal team; its owner cannot leave it.`
            : `${userId} is the last owner of team "${team.name}"; make someone else owner first.`,
        );
      }
      if (!leaving && target.role === 'owner' && callerRole !== 'owner') {
        throw new DomainError(
          'FORBIDDEN',
          `Only an owner of team "${team.name}" may remove an owner; your role is ${callerRole}.`,
        );
      }
      await this.members.remove(teamId, userId, tx);
      await this.teams.clearDefaultTeam(userId, teamId, tx);
      await this.audit.record(
        {
          action: 'team.member-removed',
          target: { type: 'team-member', id: `${teamId}:${userId}` },
          before: { teamId, userId, role: target.role },
          after: { left: leaving },
          organizationId: team.organizationId,
        },
        tx,
      );
    });
  }

  /** The team's memberships under lock (see `MembersRepository.lockAll`), and what a change needs of them. */
  private async locked(
    team: CallerTeam,
    principal: Principal,
    userId: string,
    tx: Sql,
  ): Promise<{ callerRole: TeamRole | null; target: Membership | undefined; owners: number }> {
    const all = await this.members.lockAll(team.id, tx);
    return {
      callerRole: all.find((member) => member.userId === principal.userId)?.role ?? null,
      target: all.find((member) => member.userId === userId),
      owners: all.filter((member) => member.role === 'owner').length,
    };
  }
}
