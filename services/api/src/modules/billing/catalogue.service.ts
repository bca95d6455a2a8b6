import { Injectable } from '@nestjs/common';
import type { BillingCatalogue, CheckoutRequest, CreditPack, PlanId } from '@cineweave/contracts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { PlansService } from '../plans/plans.service.ts';

/** One-off credit packs. Prices are pence; a bigger pack costs less per credit. */
export const CREDIT_PACKS: readonly CreditPack[] = [
  { id: 'pack-500', name: '500 credits', credits: 500, priceMinor: 500, currency: 'GBP' },
  { id: 'pack-2000', name: '2,000 credits', credits: 2000, priceMinor: 1800, currency: 'GBP' },
  { id: 'pack-10000', name: '10,000 credits', credits: 10_000, priceMinor: 8000, currency: 'GBP' },
];

/** What a checkout charges and what it buys, decided here and never by the client. */
export interface Product {
  kind: 'pack' | 'plan';
  id: string;
  name: string;
  amountMinor: number;
  credits: number;
}

@Injectable()
export class CatalogueService {
  constructor(private readonly plans: PlansService) {}

  async catalogue(): Promise<BillingCatalogue> {
    const plans = await this.plans.list();
    return {
      packs: [...CREDIT_PACKS],
      // Free costs nothing and enterprise is sold by contract: neither goes through checkout.
      plans: plans
        .filter((plan) => plan.priceMinor !== null && plan.priceMinor > 0)
        .map((plan) => ({
          id: plan.id,
          name: plan.name,
          monthlyCredits: plan.monthlyCredits,
          activeJobLimit: plan.effectiveActiveJobLimit,
          priceMinor: plan.priceMinor as number,
          currency: plan.currency,
        })),
    };
  }

  async product(request: CheckoutRequest): Promise<Product> {
    if (request.packId !== undefined) {
      const pack = CREDIT_PACKS.find((candidate) => candidate.id === request.packId);
      if (!pack) throw new DomainError('NOT_FOUND', `There is no credit pack ${request.packId}.`);
      return {
        kind: 'pack',
        id: pack.id,
        name: pack.name,
        amountMinor: pack.priceMinor,
        credits: pack.credits,
      };
    }
    const planId = request.planId as PlanId;
    const plan = (await this.catalogue()).plans.find((candidate) => candidate.id === planId);
    if (!plan) {
      throw new DomainError(
        'UNPROCESSABLE',
        `The ${planId} plan is not sold online; choose a plan listed in the catalogue.`,
        [{ field: 'planId', message: 'not for sale online' }],
      );
    }
    return {
      kind: 'plan',
      id: plan.id,
      name: `${plan.name} plan, one month`,
      amountMinor: plan.priceMinor,
      credits: plan.monthlyCredits,
    };
  }
}
