import { z } from 'zod';
import { pageOf } from '../api/page.ts';
import { PlanIdSchema } from '../plans/plans.ts';

/** Who takes payments: `none` where an enterprise charges internally and admins grant credits. */
export const PAYMENTS_PROVIDERS = ['none', 'truelayer'] as const;
export const PaymentsProviderSchema = z.enum(PAYMENTS_PROVIDERS);
export type PaymentsProvider = z.infer<typeof PaymentsProviderSchema>;

/** Credit packs sold once; prices in minor units (pence). */
export const CREDIT_PACK_IDS = ['pack-500', 'pack-2000', 'pack-10000'] as const;
export const CreditPackIdSchema = z.enum(CREDIT_PACK_IDS);
export type CreditPackId = z.infer<typeof CreditPackIdSchema>;

export const CreditPackSchema = z.object({
  id: CreditPackIdSchema,
  name: z.string(),
  credits: z.int().min(1),
  priceMinor: z.int().min(1),
  currency: z.literal('GBP'),
});
export type CreditPack = z.infer<typeof CreditPackSchema>;

/** A plan as sold: a month of the plan with its credits and active-job limit. */
export const PlanOfferSchema = z.object({
  id: PlanIdSchema,
  name: z.string(),
  monthlyCredits: z.int().min(0),
  activeJobLimit: z.int().min(1),
  priceMinor: z.int().min(1),
  currency: z.literal('GBP'),
});
export type PlanOffer = z.infer<typeof PlanOfferSchema>;

export const BillingCatalogueSchema = z.object({
  packs: z.array(CreditPackSchema),
  plans: z.array(PlanOfferSchema),
});
export type BillingCatalogue = z.infer<typeof BillingCatalogueSchema>;

/**
 * Exactly one product per checkout. The amount is never sent: the API prices the product from
 * its own catalogue.
 */
export const CheckoutRequestSchema = z
  .strictObject({ packId: CreditPackIdSchema.optional(), planId: PlanIdSchema.optional() })
  .refine((body) => (body.packId === undefined) !== (body.planId === undefined), {
    error: 'send exactly one of packId or planId',
  });
export type CheckoutRequest = z.infer<typeof CheckoutRequestSchema>;

/**
 * `pending` until the payer authorises at their bank; `settled` means the credits (or the plan)
 * were applied; `failed` is final and nothing was applied.
 */
export const PAYMENT_STATUSES = ['pending', 'authorized', 'executed', 'settled', 'failed'] as const;
export const PaymentStatusSchema = z.enum(PAYMENT_STATUSES);
export type PaymentStatus = z.infer<typeof PaymentStatusSchema>;

export function isFinalPaymentStatus(status: PaymentStatus): boolean {
  return status === 'settled' || status === 'failed';
}

export const PaymentViewSchema = z.object({
  id: z.uuid(),
  product: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('pack'), packId: CreditPackIdSchema }),
    z.object({ kind: z.literal('plan'), planId: PlanIdSchema }),
  ]),
  status: PaymentStatusSchema,
  amountMinor: z.int().min(0),
  currency: z.literal('GBP'),
  credits: z.int().min(0),
  failureReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  settledAt: z.iso.datetime().nullable(),
});
export type PaymentView = z.infer<typeof PaymentViewSchema>;
/** `GET /v1/billing/payments`: the account's payments, newest first. */
export const PaymentPageSchema = pageOf(PaymentViewSchema);

export const CheckoutResponseSchema = z.object({
  payment: PaymentViewSchema,
  /** TrueLayer's hosted payment page; the payer returns to the portal's status page afterwards. */
  checkoutUrl: z.url(),
});
export type CheckoutResponse = z.infer<typeof CheckoutResponseSchema>;

/** What a verified payment webhook did, acknowledged to the provider so it stops redelivering. */
export const PAYMENT_EVENT_OUTCOMES = ['applied', 'duplicate', 'ignored'] as const;
export const PaymentWebhookAckSchema = z.object({ outcome: z.enum(PAYMENT_EVENT_OUTCOMES) });
export type PaymentWebhookAck = z.infer<typeof PaymentWebhookAckSchema>;
