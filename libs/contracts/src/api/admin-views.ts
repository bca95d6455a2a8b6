import { z } from 'zod';
import { JobStatusSchema } from '../jobs/job-status.ts';
import { LedgerEntryKindSchema, PlanIdSchema } from '../plans/plans.ts';
import { JobViewSchema } from './api-shapes.ts';
import { pageOf } from './page.ts';

/** `POST /v1/admin/credits/grant`: a positive amount grants, a negative one adjusts (never overdraws). */
export const GrantCreditsRequestSchema = z.strictObject({
  userId: z.string({ error: 'userId must be a string' }).min(1).max(128),
  amount: z
    .int({ error: 'amount must be a whole number of credits' })
    .min(-1_000_000)
    .max(1_000_000)
    .refine((amount) => amount !== 0, { error: 'amount must not be zero' }),
  reason: z
    .string({ error: 'reason must be a string' })
    .trim()
    .min(3, { error: 'say why, in a few words' })
    .max(500),
});
export type GrantCreditsRequest = z.input<typeof GrantCreditsRequestSchema>;

/** A user and their account as an admin lists them (`GET /v1/admin/users`). */
export const AdminUserSchema = z.object({
  userId: z.string(),
  email: z.string().nullable(),
  accountId: z.uuid(),
  plan: PlanIdSchema,
  balance: z.int(),
  reserved: z.int().min(0),
  activeJobs: z.int().min(0),
  createdAt: z.iso.datetime({ offset: true }),
});
export type AdminUser = z.infer<typeof AdminUserSchema>;
export const AdminUserPageSchema = pageOf(AdminUserSchema);

/** A job across accounts (`GET /v1/admin/jobs`): the job view and whose it is. */
export const AdminJobViewSchema = JobViewSchema.extend({ userId: z.string() });
export type AdminJobView = z.infer<typeof AdminJobViewSchema>;
export const AdminJobPageSchema = pageOf(AdminJobViewSchema);

/** `GET /v1/admin/stats`: jobs by status, credits moved by kind, GPU time and its cost. */
export const AdminStatsSchema = z.object({
  jobsByStatus: z.partialRecord(JobStatusSchema, z.int().min(0)),
  creditsByKind: z.partialRecord(
    LedgerEntryKindSchema,
    z.object({ total: z.number(), entries: z.int().min(0) }),
  ),
  gpuSeconds: z.number().min(0),
  gpuHourlyCostUsd: z.number().min(0),
  gpuCostUsd: z.number().min(0),
});
export type AdminStats = z.infer<typeof AdminStatsSchema>;
