import { z } from 'zod';
import { listOf } from '../api/page.ts';
import { CreditsSummarySchema, PlanIdSchema } from '../plans/plans.ts';

/**
 * Roles in a team, strongest first: `owner` (billing, members, limits), `admin` (members,
 * limits), `member` (spends the team's credits), `viewer` (sees jobs and videos).
 */
export const TEAM_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export const TeamRoleSchema = z.enum(TEAM_ROLES);
export type TeamRole = z.infer<typeof TeamRoleSchema>;

/** True when `role` may do what `needed` may: roles are ordered, each includes the ones below it. */
export function teamRoleAtLeast(role: TeamRole, needed: TeamRole): boolean {
  return TEAM_ROLES.indexOf(role) <= TEAM_ROLES.indexOf(needed);
}

/** Roles an invitation or a role change may hand out; `owner` only by an owner (see the API). */
export const InvitableRoleSchema = TeamRoleSchema;

/**
 * The request header that picks the team a call acts for (its id). Without it: the team of the
 * API key, else the caller's default team. A team the caller does not belong to is a 404.
 */
export const TEAM_HEADER = 'x-cineweave-team';

/** How a person came to be in a team; `sso` memberships follow the identity provider's claim at sign-in. */
export const MembershipSourceSchema = z.enum(['personal', 'manual', 'invitation', 'sso']);
export type MembershipSource = z.infer<typeof MembershipSourceSchema>;

export const OrganizationRefSchema = z.object({ id: z.uuid(), name: z.string() });
export type OrganizationRef = z.infer<typeof OrganizationRefSchema>;

/** A team as its members list it (`GET /v1/teams`): with the caller's role in it. */
export const TeamSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  /** A person's own one-person team (every account before teams existed became one). */
  personal: z.boolean(),
  organization: OrganizationRefSchema.nullable(),
  plan: PlanIdSchema,
  role: TeamRoleSchema,
  /** The team calls act for when they name none. */
  isDefault: z.boolean(),
});
export type TeamSummary = z.infer<typeof TeamSummarySchema>;
export const TeamListSchema = listOf(TeamSummarySchema);

/** Per-team limits; null means "no team-specific limit" (the plan's active-job limit still applies). */
export const TeamLimitsSchema = z.object({
  /** Jobs queued or running at once, within the plan's limit (a higher value does not raise it); null: the plan's limit. */
  activeJobLimit: z.int().min(1).max(10_000).nullable(),
  /** Credits the team may commit per calendar month (UTC); null: no quota. */
  monthlyCreditQuota: z.int().min(0).max(1_000_000_000).nullable(),
  /** Credits one member may commit per calendar month (UTC); null: no cap. */
  memberMonthlyCap: z.int().min(0).max(1_000_000_000).nullable(),
});
export type TeamLimits = z.infer<typeof TeamLimitsSchema>;

/** `PATCH /v1/teams/:id/limits` (owner, admin): only the fields given change. */
export const UpdateTeamLimitsRequestSchema = z
  .strictObject({
    activeJobLimit: TeamLimitsSchema.shape.activeJobLimit.optional(),
    monthlyCreditQuota: TeamLimitsSchema.shape.monthlyCreditQuota.optional(),
    memberMonthlyCap: TeamLimitsSchema.shape.memberMonthlyCap.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one limit to change' });
export type UpdateTeamLimitsRequest = z.infer<typeof UpdateTeamLimitsRequestSchema>;

/** What the team has committed this month against its quota (reserved + captured, net of releases). */
export const TeamMonthUsageSchema = z.object({
  /** Start of the current quota month (UTC). */
  periodStart: z.iso.datetime({ offset: true }),
  /** When quotas and caps reset: the start of next month (UTC). */
  resetsAt: z.iso.datetime({ offset: true }),
  credits: z.int().min(0),
});

/** `GET /v1/teams/:id`: the team page. */
export const TeamViewSchema = TeamSummarySchema.extend({
  createdAt: z.iso.datetime({ offset: true }),
  limits: TeamLimitsSchema,
  /** The active-job limit in force: the team's, else its plan's, else the install's default. */
  effectiveActiveJobLimit: z.int().min(1),
  credits: CreditsSummarySchema,
  month: TeamMonthUsageSchema,
  memberCount: z.int().min(1),
});
export type TeamView = z.infer<typeof TeamViewSchema>;

/** `POST /v1/teams`: a new team in a new organization, or in one where the caller owns a team. */
export const CreateTeamRequestSchema = z.strictObject({
  name: z.string().trim().min(1, 'Give the team a name').max(80, 'A team name has at most 80 characters'),
  /** An organization the caller owns a team in; without it a new organization named `organizationName` (or the team's name). */
  organizationId: z.uuid().optional(),
  organizationName: z.string().trim().min(1).max(80).optional(),
});
export type CreateTeamRequest = z.infer<typeof CreateTeamRequestSchema>;

export const TeamMemberViewSchema = z.object({
  userId: z.string(),
  email: z.string().nullable(),
  role: TeamRoleSchema,
  source: MembershipSourceSchema,
  joinedAt: z.iso.datetime({ offset: true }),
  /** Credits this member committed in the team this month (reserved + captured). */
  creditsThisMonth: z.int().min(0),
});
export type TeamMemberView = z.infer<typeof TeamMemberViewSchema>;
export const TeamMemberListSchema = listOf(TeamMemberViewSchema);

/** `PATCH /v1/teams/:id/members/:userId`. */
export const UpdateMemberRequestSchema = z.strictObject({ role: TeamRoleSchema });
export type UpdateMemberRequest = z.infer<typeof UpdateMemberRequestSchema>;

export const InvitationStatusSchema = z.enum(['pending', 'accepted', 'revoked', 'expired']);
export type InvitationStatus = z.infer<typeof InvitationStatusSchema>;

export const TeamInvitationViewSchema = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  role: TeamRoleSchema,
  invitedBy: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }),
  status: InvitationStatusSchema,
});
export type TeamInvitationView = z.infer<typeof TeamInvitationViewSchema>;
export const TeamInvitationListSchema = listOf(TeamInvitationViewSchema);

/** `POST /v1/teams/:id/invitations` (owner, admin). The answer carries the link once; only its hash is stored. */
export const CreateInvitationRequestSchema = z.strictObject({
  /** Who may accept it; without it, anyone holding the link. */
  email: z.email('email must be an email address').optional(),
  role: TeamRoleSchema.default('member'),
  expiresInDays: z.int().min(1).max(30).default(7),
});
export type CreateInvitationRequest = z.infer<typeof CreateInvitationRequestSchema>;
export const CreatedInvitationSchema = TeamInvitationViewSchema.extend({
  /** The secret the link carries; `POST /v1/invitations/{token}/accept` accepts it. */
  token: z.string(),
  /** The portal's page for the link, shown to the inviter to pass on. */
  url: z.string(),
});
export type CreatedInvitation = z.infer<typeof CreatedInvitationSchema>;

/** `GET /v1/invitations/{token}`: what the link invites to, before accepting. */
export const InvitationPreviewSchema = z.object({
  team: z.object({ id: z.uuid(), name: z.string() }),
  organization: OrganizationRefSchema.nullable(),
  role: TeamRoleSchema,
  invitedBy: z.string(),
  expiresAt: z.iso.datetime({ offset: true }),
  status: InvitationStatusSchema,
});
export type InvitationPreview = z.infer<typeof InvitationPreviewSchema>;

/** Which limit refused an admission (extension member `limit` of a 402/429 problem). */
export const TeamLimitNameSchema = z.enum(['active-jobs', 'monthly-credit-quota', 'member-monthly-cap']);
export type TeamLimitName = z.infer<typeof TeamLimitNameSchema>;
export const LimitRefusalSchema = z.object({
  name: TeamLimitNameSchema,
  teamId: z.uuid(),
  value: z.int(),
  used: z.int(),
  /** When it resets (monthly limits); absent where it frees as jobs end. */
  resetsAt: z.iso.datetime({ offset: true }).optional(),
});
export type LimitRefusal = z.infer<typeof LimitRefusalSchema>;
