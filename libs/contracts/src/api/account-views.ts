import { z } from 'zod';
import { CreditsSummarySchema, PlanIdSchema } from '../plans/plans.ts';
import { TeamRoleSchema } from '../teams/teams.ts';
import { listOf } from './page.ts';

export const AUTH_MODES = ['dev', 'clerk', 'oidc'] as const;
export const AuthModeSchema = z.enum(AUTH_MODES);
export type AuthMode = z.infer<typeof AuthModeSchema>;

export const UserRoleSchema = z.enum(['user', 'admin']);
export type UserRole = z.infer<typeof UserRoleSchema>;

/** `GET /v1/config`: what the portal needs to know before anyone signs in; never a secret. */
export const PublicConfigSchema = z.object({
  authMode: AuthModeSchema,
  clerkPublishableKey: z.string().optional(),
  oidc: z.object({ issuer: z.string(), clientId: z.string() }).optional(),
  paymentsProvider: z.string(),
  retentionHours: z.number(),
  /** What the create form starts with (a CPU-only local stack starts at draft size). */
  formDefaults: z.object({
    quality: z.enum(['hd', 'draft']),
    durationSeconds: z.int(),
    steps: z.int(),
  }),
});
export type PublicConfig = z.infer<typeof PublicConfigSchema>;

/** `GET /v1/me`: who is signed in, how, and their account's credits. */
export const MeSchema = z.object({
  user: z.object({
    id: z.string(),
    role: UserRoleSchema,
    /** From the identity provider's token where it carries one; null for API keys and dev users. */
    email: z.string().nullable(),
    /** `session` (portal token) or `api-key`; absent where the principal does not say. */
    authenticatedBy: z.string().optional(),
  }),
  /** The team this call acted for (the team header, the API key's team, or the default team): its account. */
  account: z.object({ id: z.uuid(), plan: PlanIdSchema, createdAt: z.iso.datetime({ offset: true }) }),
  team: z.object({ id: z.uuid(), name: z.string(), personal: z.boolean(), role: TeamRoleSchema }),
  credits: CreditsSummarySchema,
});
export type Me = z.infer<typeof MeSchema>;

/** `POST /v1/users/init`: idempotent; `created` is true only on the first call. */
export const UserInitSchema = z.object({
  created: z.boolean(),
  user: z.object({ id: z.string(), role: UserRoleSchema }),
  credits: CreditsSummarySchema,
});
export type UserInit = z.infer<typeof UserInitSchema>;

/** An API key as listed: never the key itself, only the prefix that identifies it. */
export const ApiKeyViewSchema = z.object({
  id: z.uuid(),
  /** The team the key acts for: its calls are that team's, within the person's role there. */
  teamId: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  lastUsedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type ApiKeyView = z.infer<typeof ApiKeyViewSchema>;

/** `POST /v1/api-keys`: the only answer that ever carries the key. */
export const CreatedApiKeySchema = ApiKeyViewSchema.extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

export const ApiKeyListSchema = listOf(ApiKeyViewSchema);
