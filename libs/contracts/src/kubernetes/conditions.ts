import { z } from 'zod';

/** metav1.Condition, as the Kubernetes API conventions define it. */
export const ConditionSchema = z.object({
  type: z
    .string()
    .regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9_.-]{1,316}$/)
    .describe('Type of condition in CamelCase, e.g. Complete.'),
  status: z
    .enum(['True', 'False', 'Unknown'])
    .describe('Whether the condition holds: True, False or Unknown.'),
  reason: z
    .string()
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
    .max(1024)
    .describe("Machine-readable CamelCase cause of the condition's last transition."),
  message: z.string().max(32768).describe('Human-readable detail about the transition.'),
  lastTransitionTime: z.iso.datetime({ offset: true }).describe('When the status last changed.'),
  observedGeneration: z.int().min(0).optional().describe('metadata.generation the condition was set for.'),
});
export type Condition = z.infer<typeof ConditionSchema>;

export const VIDEOJOB_CONDITIONS = {
  /** The API admitted the job: credits reserved, job queued. */
  accepted: 'Accepted',
  /** The video is rendered and stored (`kubectl wait --for=condition=Complete`). */
  complete: 'Complete',
  /** The job ended without a video: bad spec, unknown user, render error, cancelled. */
  failed: 'Failed',
  /**
   * True while the job waits: held before admission by a team limit (TeamLimit, QuotaExhausted,
   * InsufficientCredits; the operator retries) or admitted and waiting in its model's queue
   * (WaitingForWorker, ScalingUp, ModelUnavailable). False once rendering starts or the job ends.
   */
  queued: 'Queued',
} as const;

export const WORKERPOOL_CONDITIONS = {
  /** At least `minReplicas` workers have loaded the model and take jobs. */
  available: 'Available',
  /** Demand exceeds `maxReplicas`: jobs wait for a free GPU. */
  scalingLimited: 'ScalingLimited',
  /**
   * Demand has been below the current workers since this condition's lastTransitionTime; the pool
   * scales down once that has lasted `scaleDownDelaySeconds`. Kept in status, not in the operator's
   * memory, so that a new leader honours the delay already served.
   */
  scaleDownPending: 'ScaleDownPending',
  /**
   * Pools with an `openai-videos` engine: whether every worker pod's engine container answers its
   * health probe; when not, the reason the kubelet gives (ImagePullBackOff, CrashLoopBackOff,
   * OOMKilled, Unschedulable...) or EngineStarting while the model downloads and loads.
   */
  engineReady: 'EngineReady',
} as const;

/** Reasons: CamelCase, one per distinguishable cause, so that alerts and scripts can match them. */
export const CONDITION_REASONS = {
  submitted: 'Submitted',
  pending: 'Pending',
  running: 'Running',
  succeeded: 'Succeeded',
  invalidSpec: 'InvalidSpec',
  noAccount: 'NoAccount',
  /** The namespace has neither the cineweave.io/team nor the legacy cineweave.io/account annotation. */
  namespaceHasNoTeam: 'NamespaceHasNoTeam',
  /** The namespace's cineweave.io/team annotation names no existing team. */
  unknownTeam: 'UnknownTeam',
  /** The namespace still uses the deprecated cineweave.io/account annotation (a Warning event). */
  deprecatedAnnotation: 'DeprecatedAccountAnnotation',
  /** Held: the team runs as many jobs as its active-job limit allows (a QUEUE_REASONS value). */
  teamLimit: 'TeamLimit',
  /** Held: the team's monthly credit quota (or the member's monthly cap) is used up until it resets (a QUEUE_REASONS value). */
  quotaExhausted: 'QuotaExhausted',
  /** Complete=False while the job waits in its model's queue. */
  queued: 'Queued',
  /** Queued=True for an admitted job when the API gives no queue standing (an older API). */
  admitted: 'Admitted',
  insufficientCredits: 'InsufficientCredits',
  activeJobLimit: 'ActiveJobLimit',
  renderFailed: 'RenderFailed',
  cancelled: 'Cancelled',
  expired: 'Expired',
  apiUnavailable: 'ApiUnavailable',
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  atMaxReplicas: 'AtMaxReplicas',
  withinLimits: 'WithinLimits',
  lowDemand: 'LowDemand',
  busyWorkers: 'BusyWorkers',
  demandMet: 'DemandMet',
  noWorkers: 'NoWorkers',
  enginesReady: 'EnginesReady',
  enginePending: 'EnginePending',
  engineStarting: 'EngineStarting',
  engineNotReady: 'EngineNotReady',
} as const;
export type ConditionReason = (typeof CONDITION_REASONS)[keyof typeof CONDITION_REASONS];
