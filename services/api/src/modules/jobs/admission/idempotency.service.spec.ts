import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../core/errors/domain-error.ts';
import { IdempotencyService, canonicalJson } from './idempotency.service.ts';

describe(IdempotencyService.name, () => {
  it('should hash two bodies alike when only their key order differs', () => {
    const a = IdempotencyService.hashRequest({
      body: { prompt: 'x', durationSeconds: 2, nested: { b: 1, a: [1, { d: 2, c: 3 }] } },
    });
    const b = IdempotencyService.hashRequest({
      body: { nested: { a: [1, { c: 3, d: 2 }], b: 1 }, durationSeconds: 2, prompt: 'x' },
    });
    expect(a).toBe(b);
  });

  it('should hash two bodies differently when a value differs', () => {
    expect(IdempotencyService.hashRequest({ prompt: 'x' })).not.toBe(
      IdempotencyService.hashRequest({ prompt: 'y' }),
    );
    expect(canonicalJson([1, '1'])).toBe('[1,"1"]');
  });

  it('should refuse a key when it is empty, too long or not printable ASCII', () => {
    for (const key of ['', 'k'.repeat(256), 'with space', 'naïve']) {
      expect(() => IdempotencyService.validateKey(key)).toThrow(DomainError);
    }
    expect(() => IdempotencyService.validateKey('order-7f3a:1')).not.toThrow();
  });
});
