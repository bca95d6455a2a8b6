import { z } from 'zod';

/** The schema of a cursor-paginated list of `item`; `nextCursor` is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** An unpaginated list: everything there is, under `items`, so it can grow a cursor later. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}
