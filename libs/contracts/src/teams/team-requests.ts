import { z } from 'zod';
import { GrantCreditsRequestSchema } from '../api/admin-views.ts';
import { pageOf } from '../api/page.ts';
import { PlanIdSchema } from '../plans/plans.ts';
import { OrganizationRefSchema } from './teams.ts';

/** `PATCH /v1/teams/:id` (owner, admin): rename the team. */
export const UpdateTeamRequestSchema = z.strictObject({
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, 'Give the team a name')
    .max(80, 'A team name has at most 80 characters'),
});
export type UpdateTeamRequest = z.infer<typeof UpdateTeamRequestSchema>;

/** `PUT /v1/me/default-team`: the team calls act for when they name none (one the caller is in). */
export const SetDefaultTeamRequestSchema = z.strictObject({
  teamId: z.uuid({ error: 'teamId must be a team id (a UUID)' }),
});
export type SetDefaultTeamRequest = z.infer<typeof SetDefaultTeamRequestSchema>;

/** A team as an install admin lists it (`GET /v1/admin/teams`). */
export const AdminTeamSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  personal: z.boolean(),
  organization: OrganizationRefSchema.nullable(),
  plan: PlanIdSchema,
  balance: z.int(),
  reserved: z.int().min(0),
  activeJobs: z.int().min(0),
  memberCount: z.int().min(0),
  createdAt: z.iso.datetime({ offset: true }),
});
export type AdminTeam = z.infer<typeof AdminTeamSchema>;
export const AdminTeamPageSchema = pageOf(AdminTeamSchema);

/**
 * `POST /v1/admin/teams/:id/credits`: a positive amount grants, a negative one adjusts (never
 * overdraws); the by-user grant's rules, for the team the path names.
 */
export const GrantTeamCreditsRequestSchema = GrantCreditsRequestSchema.omit({ userId: true });
export type GrantTeamCreditsRequest = z.infer<typeof GrantTeamCreditsRequestSchema>;

/** `PUT /v1/admin/teams/:id/plan`: plans attach to teams; an admin's plan is granted monthly, not bought. */
export const SetTeamPlanRequestSchema = z.strictObject({ plan: PlanIdSchema });
export type SetTeamPlanRequest = z.infer<typeof SetTeamPlanRequestSchema>;
