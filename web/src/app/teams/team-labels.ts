import type { InvitationStatus, TeamRole } from '@cineweave/contracts';

export const ROLE_LABELS: Record<TeamRole, string> = {
  owner: 'Owner',
  admin: 'Admin',
  member: 'Member',
  viewer: 'Viewer',
};

/** What each role may do, in the words the team page uses next to the role select. */
export const ROLE_HINTS: Record<TeamRole, string> = {
  owner: 'billing, members, limits, everything an admin can',
  admin: 'members, invitations and limits',
  member: "creates videos with the team's credits",
  viewer: "sees the team's videos and usage, spends nothing",
};

export const INVITATION_STATUS_LABELS: Record<InvitationStatus, string> = {
  pending: 'Pending',
  accepted: 'Accepted',
  revoked: 'Revoked',
  expired: 'Expired',
};
