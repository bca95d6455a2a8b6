import { z } from 'zod';
import { LedgerEntryKindSchema, PlanSchema } from '../plans/plans.ts';
import {
  DurationSecondsSchema,
  ModelIdSchema,
  RenderPresetSchema,
  ResolutionSchema,
} from '../jobs/job-parameters.ts';
import { listOf, pageOf } from './page.ts';

/** A ledger row as the account's owner reads it (`GET /v1/credits/ledger`). */
export const LedgerItemSchema = z.object({
  id: z.string(),
  kind: LedgerEntryKindSchema,
  /** Signed credits: positive adds to the balance, negative takes from it. */
  amount: z.int(),
  /** Credits moved in or out of `reserved` (reserve and release rows move only these). */
  reservedDelta: z.int(),
  jobId: z.uuid().nullable(),
  reason: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type LedgerItem = z.infer<typeof LedgerItemSchema>;
export const LedgerPageSchema = pageOf(LedgerItemSchema);

/** `GET /v1/plans`: a plan with the active-job limit in force (its own, or the install's default). */
export const ListedPlanSchema = PlanSchema.extend({ effectiveActiveJobLimit: z.int().min(1) });
export type ListedPlan = z.infer<typeof ListedPlanSchema>;
export const PlanListSchema = listOf(ListedPlanSchema);

/** `GET /v1/pricing/quote`: what a job of this size would reserve. */
export const QuoteSchema = z.object({
  resolution: ResolutionSchema,
  durationSeconds: DurationSecondsSchema,
  model: ModelIdSchema,
  preset: RenderPresetSchema,
  credits: z.int().min(0),
});
export type Quote = z.infer<typeof QuoteSchema>;
