import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError } from '../errors/domain-error.ts';
import { TimestampCursorSchema, decodeCursor, encodeCursor } from './cursor.ts';

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

describe('TimestampCursorSchema', () => {
  const id = '5b0c4f5e-3d1c-4a57-9f0e-0a1b2c3d4e5f';

  it('should accept a cursor encodeCursor wrote from a row', () => {
    const value = [new Date('2026-03-04T05:06:07.089Z').toISOString(), id];
    expect(decodeCursor(encodeCursor(value), TimestampCursorSchema)).toEqual(value);
  });

  it.each([
    '0000-01-01T00:00:00.000Z',
    '2026-01-01T00:00:00+23:59',
    '2026-02-30T00:00:00.000Z',
    '+275760-09-13T00:00:00.000Z',
    '2026-01-01T00:00:00Z',
  ])('should refuse %s with a validation error, before Postgres reads it', (time) => {
    expect(() => decodeCursor(encodeCursor([time, id]), TimestampCursorSchema)).toThrow(DomainError);
  });
});
