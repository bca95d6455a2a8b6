import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICING, PricingTableSchema, quoteCredits } from './pricing.ts';

describe('quoteCredits', () => {
  it('should price seconds of video at the resolution rate', () => {
    expect(quoteCredits(DEFAULT_PRICING, { resolution: '1280x704', durationSeconds: 5 })).toBe(50);
    expect(quoteCredits(DEFAULT_PRICING, { resolution: '352x640', durationSeconds: 2 })).toBe(6);
  });

  it('should never quote below the minimum', () => {
    const free = {
      creditsPerSecond: { '1280x704': 0, '704x1280': 0, '640x352': 0, '352x640': 0 },
      minimumCredits: 2,
    };
    expect(quoteCredits(free, { resolution: '640x352', durationSeconds: 1 })).toBe(2);
  });

  it.each([0, -1, 1.5, Number.NaN])('should refuse a duration of %s', (durationSeconds) => {
    expect(() => quoteCredits(DEFAULT_PRICING, { resolution: '1280x704', durationSeconds })).toThrow(
      RangeError,
    );
  });
});

describe('PricingTableSchema', () => {
  it('should accept the default table', () => {
    expect(PricingTableSchema.parse(DEFAULT_PRICING)).toEqual(DEFAULT_PRICING);
  });

  it.each([
    ['a missing resolution', { creditsPerSecond: { '1280x704': 10 } }],
    ['fractional credits', { creditsPerSecond: { ...DEFAULT_PRICING.creditsPerSecond, '640x352': 2.5 } }],
    ['negative credits', { creditsPerSecond: { ...DEFAULT_PRICING.creditsPerSecond, '640x352': -1 } }],
    ['an unknown resolution', { creditsPerSecond: { ...DEFAULT_PRICING.creditsPerSecond, '4k': 100 } }],
  ])('should reject %s', (_case, table) => {
    expect(PricingTableSchema.safeParse(table).success).toBe(false);
  });
});
