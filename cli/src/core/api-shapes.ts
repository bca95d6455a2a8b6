// Answers of the API that @cineweave/contracts does not describe yet. They mirror the API's
// services (credits.service.ts LedgerItem, uploads.service.ts UploadView, plans.controller.ts
// quote, users.controller.ts me) and belong in the contracts, where both ends would share them.
import {
  CreditsSummarySchema,
  JobViewSchema,
  LedgerEntryKindSchema,
  ResolutionSchema,
} from '@cineweave/contracts';
import { z } from 'zod';

function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const JobPageSchema = pageOf(JobViewSchema);

export const LedgerItemSchema = z.object({
  id: z.string(),
  kind: LedgerEntryKindSchema,
  amount: z.int(),
  reservedDelta: z.int(),
  jobId: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: z.string(),
});
export type LedgerItem = z.infer<typeof LedgerItemSchema>;
export const LedgerPageSchema = pageOf(LedgerItemSchema);

/** `POST /v1/uploads`. */
export const UploadViewSchema = z.object({
  id: z.uuid(),
  width: z.int(),
  height: z.int(),
  sha256: z.string(),
});
export type UploadView = z.infer<typeof UploadViewSchema>;

/** `GET /v1/pricing/quote`. */
export const QuoteSchema = z.object({
  resolution: ResolutionSchema,
  durationSeconds: z.int(),
  credits: z.int(),
});
export type Quote = z.infer<typeof QuoteSchema>;

/** `GET /v1/me`. */
export const MeSchema = z.object({
  user: z.object({ id: z.string(), role: z.string(), authenticatedBy: z.string().optional() }),
  account: z.object({ id: z.string(), plan: z.string(), createdAt: z.string() }).optional(),
  credits: CreditsSummarySchema.optional(),
});
export type Me = z.infer<typeof MeSchema>;

/** `GET /v1/jobs/:id/video` and `/thumbnail` asked for JSON: the presigned link. */
export const OutputLinkSchema = z.object({ url: z.url() });
