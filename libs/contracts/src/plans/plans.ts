import { z } from 'zod';

/** Plans seeded by the API's migrations. */
export const PLAN_IDS = ['free', 'starter', 'pro', 'enterprise'] as const;
export const PlanIdSchema = z.enum(PLAN_IDS);
export type PlanId = z.infer<typeof PlanIdSchema>;

export const PlanSchema = z.object({
  id: PlanIdSchema,
  name: z.string(),
  monthlyCredits: z.int().min(0),
  /** Jobs an account may have queued or running at once; null = the deployment's default. */
  activeJobLimit: z.int().min(1).nullable(),
  /** Monthly price in minor units (pence); null where the plan is not sold online. */
  priceMinor: z.int().min(0).nullable(),
  currency: z.literal('GBP'),
  /**
   * The team's weight in each model's fair queue: between teams that all have jobs waiting, GPU
   * time is shared in proportion to it (free 1, starter 2, pro 4, enterprise 8).
   */
  queueWeight: z.number().positive(),
});
export type Plan = z.infer<typeof PlanSchema>;

/** Ledger entry kinds: the only ways credits move. */
export const LEDGER_ENTRY_KINDS = [
  'grant',
  'topup',
  'reserve',
  'capture',
  'release',
  'refund',
  'adjust',
] as const;
export const LedgerEntryKindSchema = z.enum(LEDGER_ENTRY_KINDS);
export type LedgerEntryKind = z.infer<typeof LedgerEntryKindSchema>;

export const CreditsSummarySchema = z.object({
  balance: z.int(),
  reserved: z.int().min(0),
  available: z.int(),
  plan: PlanIdSchema,
});
export type CreditsSummary = z.infer<typeof CreditsSummarySchema>;
