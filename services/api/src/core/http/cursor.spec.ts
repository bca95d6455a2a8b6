import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError } from '../errors/domain-error.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

describe(decodeCursor.name, () => {
  const schema = z.tuple([z.string(), z.uuid()]);

  it('should return what was encoded when the cursor is one the API issued', () => {
    const value: [string, string] = ['2026-01-01T00:00:00.000Z', '5b0c4f5e-3d1c-4a57-9f0e-0a1b2c3d4e5f'];
    expect(decodeCursor(encodeCursor(value), schema)).toEqual(value);
  });

  it('should return null when no cursor is given', () => {
    expect(decodeCursor(undefined, schema)).toBeNull();
  });

  it('should refuse with a validation error when the cursor was forged', () => {
    expect(() => decodeCursor(encodeCursor({ id: 1 }), schema)).toThrow(DomainError);
    expect(() => decodeCursor('%%%', schema)).toThrow(DomainError);
  });
});
