import { describe, expect, it } from 'vitest';
import { CheckoutRequestSchema, PaymentViewSchema, isFinalPaymentStatus } from './billing.ts';

describe('CheckoutRequestSchema', () => {
  it.each([[{ packId: 'pack-500' }], [{ planId: 'pro' }]])(
    'should accept one product when sent %j',
    (body) => {
      expect(CheckoutRequestSchema.parse(body)).toEqual(body);
    },
  );

  it.each([
    ['both products', { packId: 'pack-500', planId: 'pro' }],
    ['no product', {}],
    ['an amount from the client', { packId: 'pack-500', amountMinor: 1 }],
    ['an unknown pack', { packId: 'pack-1' }],
    ['an unknown plan', { planId: 'gold' }],
  ])('should refuse %s', (_case, body) => {
    expect(CheckoutRequestSchema.safeParse(body).success).toBe(false);
  });
});

describe('PaymentViewSchema', () => {
  it('should accept a settled pack payment when every field is set', () => {
    const view = {
      id: '3f0c7c2e-52c5-4d7e-9d0e-5d7a3d1c2b10',
      product: { kind: 'pack', packId: 'pack-2000' },
      status: 'settled',
      amountMinor: 1800,
      currency: 'GBP',
      credits: 2000,
      failureReason: null,
      createdAt: '2026-11-24T04:00:00.000Z',
      settledAt: '2026-11-24T04:01:00.000Z',
    };
    expect(PaymentViewSchema.parse(view)).toEqual(view);
  });

  it('should refuse a float amount when pence are expected', () => {
    const result = PaymentViewSchema.shape.amountMinor.safeParse(18.5);
    expect(result.success).toBe(false);
  });
});

describe(isFinalPaymentStatus.name, () => {
  it('should call only settled and failed final when asked about each status', () => {
    expect(
      ['pending', 'authorized', 'executed', 'settled', 'failed'].filter((s) =>
        isFinalPaymentStatus(s as never),
      ),
    ).toEqual(['settled', 'failed']);
  });
});
