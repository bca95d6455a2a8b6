export interface ScaleInput {
  /** Replicas the Deployment has now. */
  current: number;
  /** Replicas the backlog calls for (already clamped to min/max). */
  desired: number;
  /** Pods proven busy, or not proven idle. */
  busy: number;
  /** Since when demand has been below the current replicas; undefined if it is not. */
  lowSince: number | undefined;
  scaleDownDelayMs: number;
  now: number;
}

export interface ScaleOutcome {
  replicas: number;
  /** Carried to the next reconcile: when demand first dropped below the replicas. */
  lowSince: number | undefined;
  /** When to look again for a pending scale-down. */
  recheckInMs?: number;
}

/**
 * Scale up at once; scale down only after demand stayed lower for the whole delay, and never
 * below the pods that are busy (those keep a high deletion cost so Kubernetes removes idle ones).
 */
export function decideScale(input: ScaleInput): ScaleOutcome {
  const { current, desired, busy, now } = input;
  if (desired >= current) return { replicas: desired, lowSince: undefined };
  const lowSince = input.lowSince ?? now;
  const waited = now - lowSince;
  if (waited < input.scaleDownDelayMs) {
    return { replicas: current, lowSince, recheckInMs: input.scaleDownDelayMs - waited };
  }
  const replicas = Math.min(current, Math.max(desired, busy));
  // Busy pods hold the rest up: keep the clock running and look again soon.
  return replicas > desired ? { replicas, lowSince, recheckInMs: 5_000 } : { replicas, lowSince: undefined };
}
