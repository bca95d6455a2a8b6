import { describe, expect, expectTypeOf, it } from 'vitest';
import { camelized } from './camelized.ts';

describe('camelized', () => {
  it('should turn every snake_case column into its camelCase field and keep the values as they are', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const row = {
      id: 'p1',
      provider_payment_id: 'tl_1',
      amount_minor: 500,
      settled_at: at,
      last_5xx_at: null,
    };
    const object = camelized(row);
    expect(object).toEqual({
      id: 'p1',
      providerPaymentId: 'tl_1',
      amountMinor: 500,
      settledAt: at,
      last5xxAt: null,
    });
    expect(object.settledAt).toBe(at);
    expectTypeOf(object).toEqualTypeOf<{
      id: string;
      providerPaymentId: string;
      amountMinor: number;
      settledAt: Date;
      last5xxAt: null;
    }>();
  });
});
