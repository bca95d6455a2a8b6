import { z } from 'zod';

/**
 * How urgent a job is among its own team's waiting jobs, in the order the dispatcher serves them.
 * A class never lifts a job past another team's: how GPU time is shared between teams is the
 * weights' business (weighted fair queueing), so a team marking everything `high` only reorders
 * its own queue. Within one class a team's jobs run first in, first out.
 *
 * - `high`: someone is waiting for this one (a preview, a retry a customer asked for).
 * - `normal`: the default.
 * - `batch`: bulk work that may wait behind the team's other jobs for as long as they keep coming.
 */
export const JOB_PRIORITY_CLASSES = ['high', 'normal', 'batch'] as const;
export const JobPriorityClassSchema = z.enum(JOB_PRIORITY_CLASSES);
export type JobPriorityClass = z.infer<typeof JobPriorityClassSchema>;

export const DEFAULT_JOB_PRIORITY_CLASS: JobPriorityClass = 'normal';

/**
 * The class of a job from its numeric `priority` (0-100, default 50: the API's and the VideoJob's
 * field). The one mapping between the two: thirds, so the default sits in `normal` and the ends
 * of the scale mean what they say. Like the class, it only orders a team's own jobs.
 */
export function priorityClassOf(priority: number): JobPriorityClass {
  if (priority >= 67) return 'high';
  if (priority <= 33) return 'batch';
  return 'normal';
}
