import { z } from 'zod';

/** `GET /health` (liveness): the process answers; no dependency is checked. */
export const LivenessSchema = z.object({ status: z.literal('ok') });
export type Liveness = z.infer<typeof LivenessSchema>;

/** `GET /ready`: 200 when every check says `ok`; 503 with the same shape, naming what failed, otherwise. */
export const ReadinessSchema = z.object({
  status: z.enum(['ready', 'not ready']),
  checks: z.object({ postgres: z.string(), redis: z.string(), s3: z.string() }),
});
export type Readiness = z.infer<typeof ReadinessSchema>;
