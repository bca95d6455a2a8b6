import { Injectable } from '@nestjs/common';
import { type TeamRole, teamRoleAtLeast } from '@cineweave/contracts';
import { DomainError } from '../../core/errors/domain-error.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { AccountsRepository, type CallerTeam } from './accounts.repository.ts';

/** A team the caller is not in answers as if it did not exist: its id tells an outsider nothing. */
export const teamNotFound = (teamId: string) =>
  new DomainError('NOT_FOUND', `Team ${teamId} was not found among your teams.`);

/** Refuses (403) a role below `needs`; a missing membership (null) is a 404. */
export function requireTeamRole(
  team: { id: string; name: string },
  role: TeamRole | null,
  needs: TeamRole,
): TeamRole {
  if (role === null) throw teamNotFound(team.id);
  if (teamRoleAtLeast(role, needs)) return role;
  throw new DomainError(
    'FORBIDDEN',
    `Your role in team "${team.name}" is ${role}; this needs ${needs} or above. Ask an owner or admin of the team.`,
  );
}

/** An API key acts for its own team only: naming another (path or header) is refused, not ignored. */
export function requireKeyTeam(principal: Principal, teamId: string): void {
  if (principal.teamId && principal.teamId !== teamId) {
    throw new DomainError(
      'FORBIDDEN',
      `This API key acts for team ${principal.teamId} only; make a key in team ${teamId} to act there.`,
    );
  }
}

/**
 * Who may act on the team a route names in its path (`/v1/teams/:id/...`). The path, not the
 * team header, names the team here; an API key still acts only within its own team.
 */
@Injectable()
export class TeamAccess {
  constructor(private readonly accounts: AccountsRepository) {}

  async require(principal: Principal, teamId: string, needs: TeamRole): Promise<CallerTeam> {
    requireKeyTeam(principal, teamId);
    const team = await this.accounts.forMember(principal.userId, teamId);
    if (!team) throw teamNotFound(teamId);
    requireTeamRole(team, team.role, needs);
    return team;
  }
}
