import { type MembershipSource, type TeamRole, teamRoleAtLeast } from '@cineweave/contracts';
import type { SsoTeamMapping } from '../../../core/config/sso-team-mappings.ts';

/** A membership of the person as the sync reads it. */
export interface HeldMembership {
  teamId: string;
  role: TeamRole;
  source: MembershipSource;
}

/** What a sign-in changes; only `sso` memberships are ever changed or removed. */
export interface SyncPlan {
  add: { teamId: string; role: TeamRole }[];
  change: { teamId: string; from: TeamRole; to: TeamRole }[];
  remove: { teamId: string; role: TeamRole }[];
}

/**
 * The teams and roles `groups` grant: each mapped group the person is in gives its team, and a
 * team granted by several groups takes the strongest of their roles.
 */
export function grantedTeams(
  mappings: readonly SsoTeamMapping[],
  groups: readonly string[],
): Map<string, TeamRole> {
  const held = new Set(groups);
  const granted = new Map<string, TeamRole>();
  for (const mapping of mappings) {
    if (!held.has(mapping.group)) continue;
    const current = granted.get(mapping.teamId);
    if (!current || teamRoleAtLeast(mapping.role, current)) granted.set(mapping.teamId, mapping.role);
  }
  return granted;
}

/**
 * How the person's `sso` memberships follow `granted`: a missing one is added with its role, a
 * changed role is changed, an `sso` one no group grants any more is removed. A membership from
 * any other source (personal, manual, invitation) is the team's own decision and is left as it
 * is, even when a group grants the same team: the manual one is kept, not duplicated.
 */
export function planSync(granted: ReadonlyMap<string, TeamRole>, held: readonly HeldMembership[]): SyncPlan {
  const plan: SyncPlan = { add: [], change: [], remove: [] };
  const heldByTeam = new Map(held.map((membership) => [membership.teamId, membership]));
  for (const [teamId, role] of granted) {
    const current = heldByTeam.get(teamId);
    if (!current) plan.add.push({ teamId, role });
    else if (current.source === 'sso' && current.role !== role)
      plan.change.push({ teamId, from: current.role, to: role });
  }
  for (const membership of held) {
    if (membership.source === 'sso' && !granted.has(membership.teamId)) {
      plan.remove.push({ teamId: membership.teamId, role: membership.role });
    }
  }
  return plan;
}
