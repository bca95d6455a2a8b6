import { describe, expect, it } from 'vitest';
import { CreditsSummarySchema, LedgerEntryKindSchema, PlanSchema } from './plans.ts';

describe('PlanSchema', () => {
  it('should accept the free plan with the default job limit', () => {
    const plan = {
      id: 'free',
      name: 'Free',
      monthlyCredits: 100,
      activeJobLimit: null,
      priceMinor: 0,
      currency: 'GBP',
      queueWeight: 1,
    };
    expect(PlanSchema.parse(plan)).toEqual(plan);
  });

  it.each([
    ['an unknown plan', { id: 'gold' }],
    ['negative credits', { monthlyCredits: -5 }],
    ['a zero job limit', { activeJobLimit: 0 }],
    ['another currency', { currency: 'USD' }],
    ['a zero queue weight', { queueWeight: 0 }],
  ])('should reject %s', (_case, change) => {
    // The valid plan each case changes one field of (so a failure is that field's).
    const plan = {
      id: 'pro',
      name: 'Pro',
      monthlyCredits: 5000,
      activeJobLimit: 10,
      priceMinor: 4900,
      currency: 'GBP',
      queueWeight: 4,
      ...change,
    };
    expect(PlanSchema.safeParse(plan).success).toBe(false);
  });
});

describe('LedgerEntryKindSchema', () => {
  it('should know exactly the seven entry kinds', () => {
    expect(LedgerEntryKindSchema.options).toEqual([
      'grant',
      'topup',
      'reserve',
      'capture',
      'release',
      'refund',
      'adjust',
    ]);
    expect(LedgerEntryKindSchema.safeParse('withdraw').success).toBe(false);
  });
});

describe('CreditsSummarySchema', () => {
  it('should reject a negative reservation', () => {
    expect(
      CreditsSummarySchema.safeParse({ balance: 10, reserved: -1, available: 11, plan: 'free' }).success,
    ).toBe(false);
  });
});
