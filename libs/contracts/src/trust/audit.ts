import { z } from 'zod';
import { pageOf } from '../api/page.ts';

/** Every action the audit log records; one row per occurrence. */
export const AUDIT_ACTIONS = [
  'admin.signed-in',
  'api-key.created',
  'api-key.revoked',
  'credits.granted',
  'credits.adjusted',
  'plan.changed',
  'payment.credited',
  'limits.changed',
  'webhook-endpoint.created',
  'webhook-endpoint.changed',
  'webhook-endpoint.deleted',
  'moderation.refused',
  'moderation.policy-changed',
  'job.cancelled-by-other',
  'retention.deleted',
  'team.created',
  'team.renamed',
  'team.member-added',
  'team.member-role-changed',
  'team.member-removed',
  'team.invitation-created',
  'team.invitation-accepted',
  'team.invitation-revoked',
  'team.limits-changed',
  'team.default-changed',
] as const;
export const AuditActionSchema = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditActionSchema>;

export const AuditActorTypeSchema = z.enum(['user', 'api-key', 'system']);

/** One audit row (`GET /v1/admin/audit`). `prevHash`/`hash` let a reader check the chain. */
export const AuditEntryViewSchema = z.object({
  seq: z.int().min(1),
  id: z.uuid(),
  occurredAt: z.iso.datetime({ offset: true }),
  actorType: AuditActorTypeSchema,
  actorId: z.string(),
  action: AuditActionSchema,
  targetType: z.string(),
  targetId: z.string(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  requestId: z.string().nullable(),
  sourceAddress: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntryView = z.infer<typeof AuditEntryViewSchema>;
export const AuditPageSchema = pageOf(AuditEntryViewSchema);

/** Filters of `GET /v1/admin/audit` (and its CSV export, `format=csv`). */
export const AuditQuerySchema = z.strictObject({
  action: AuditActionSchema.optional(),
  actorId: z.string().min(1).max(200).optional(),
  targetId: z.string().min(1).max(200).optional(),
  from: z.iso.datetime({ offset: true, error: 'from must be an ISO date-time' }).optional(),
  to: z.iso.datetime({ offset: true, error: 'to must be an ISO date-time' }).optional(),
  format: z.enum(['json', 'csv']).default('json'),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;
