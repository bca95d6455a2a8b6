import type { Principal } from './principal.ts';

/**
 * Told of every request whose token carried groups (SSO_GROUPS_CLAIM), before the route runs, so
 * that team memberships follow the identity provider from the first request of a sign-in on. The
 * teams module provides it (modules/teams/sso): authentication does not depend on teams.
 */
export abstract class GroupMembershipSync {
  abstract noteRequest(principal: Principal & { groups: string[] }, token: string): Promise<void>;
}
