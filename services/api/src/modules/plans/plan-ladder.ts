/** What a plan gives, as the portal lists it: the limits a dearer plan must not cut. */
export interface PlanLimits {
  id: string;
  name: string;
  /** Monthly price in minor units; null where the plan is not sold online (priced above the rest). */
  priceMinor: number | null;
  monthlyCredits: number;
  /** The active-job limit in force: the plan's own, or MAX_ACTIVE_JOBS_PER_USER. */
  effectiveActiveJobLimit: number;
}

const LIMITS = [
  ['monthlyCredits', 'monthly credits'],
  ['effectiveActiveJobLimit', 'videos rendering at once'],
] as const;

/**
 * Every place where a dearer plan gives less than a cheaper one, worded for whoever configures the
 * install; empty when the plans add up.
 */
export function planLadderProblems(plans: PlanLimits[]): string[] {
  const price = (plan: PlanLimits) => plan.priceMinor ?? Number.POSITIVE_INFINITY;
  const problems: string[] = [];
  for (const cheaper of plans) {
    for (const dearer of plans) {
      if (price(dearer) <= price(cheaper)) continue;
      for (const [limit, words] of LIMITS) {
        if (dearer[limit] < cheaper[limit]) {
          problems.push(
            `${dearer.name} gives ${dearer[limit]} ${words}, fewer than the cheaper ${cheaper.name} (${cheaper[limit]})`,
          );
        }
      }
    }
  }
  return problems;
}
