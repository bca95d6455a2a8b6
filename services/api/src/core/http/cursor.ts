import { z } from 'zod';
import { DomainError } from '../errors/domain-error.ts';

/** Opaque cursors: base64url JSON of the sort key of the last item on the previous page. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | null {
  if (!cursor) return null;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new DomainError(
      'VALIDATION_FAILED',
      'The cursor is not one this API issued; start again without it.',
      [{ field: 'cursor', message: 'is not valid' }],
    );
  }
}

/**
 * The `[createdAt, id]` sort key of timestamp-ordered lists, exactly as encodeCursor wrote it
 * (`Date.toISOString()`, UTC): a crafted date Postgres cannot read (year 0000, an offset of
 * +23:59) is a 400 here rather than a 500 from the query.
 */
export const TimestampCursorSchema = z.tuple([
  z.iso.datetime().refine(
    (value) => {
      const date = new Date(value);
      return !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1970 && date.toISOString() === value;
    },
    { error: 'is not a time this API issued' },
  ),
  z.uuid(),
]);

export const PageQueryFields = {
  cursor: z.string().max(512, { error: 'cursor is too long' }).optional(),
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int({ error: 'limit must be a whole number' })
    .min(1, { error: 'limit must be at least 1' })
    .max(100, { error: 'limit must be at most 100' })
    .default(20),
};
