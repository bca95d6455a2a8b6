/**
 * Prometheus metric names, in one place so that dashboards, alert rules and code agree.
 * Every process uses its own registry and the `cineweave_` prefix.
 */
export const METRIC_PREFIX = 'cineweave_';

export const API_METRICS = {
  httpRequestDuration: 'cineweave_http_request_duration_seconds',
  jobsCreated: 'cineweave_jobs_created_total',
  jobsFinished: 'cineweave_jobs_finished_total',
  creditsReserved: 'cineweave_credits_reserved_total',
  creditsCaptured: 'cineweave_credits_captured_total',
  creditsReleased: 'cineweave_credits_released_total',
  creditsGranted: 'cineweave_credits_granted_total',
  creditsToppedUp: 'cineweave_credits_topped_up_total',
  queueWaiting: 'cineweave_queue_waiting_jobs',
  queueActive: 'cineweave_queue_active_jobs',
  /**
   * Admitted jobs the fair dispatcher holds back from their model's work queue until a worker is
   * free (the backlog; the work queue itself keeps only a shallow buffer). From Postgres, so every
   * replica reports the same figure: aggregate with max, not sum.
   */
  fairQueueHeld: 'cineweave_fair_queue_held_jobs',
  outboxLag: 'cineweave_outbox_lag_seconds',
  /** Admissions that shared one statement and commit (group admission under load). */
  admissionBatchSize: 'cineweave_admission_batch_size',
  /** Age of the oldest reservation not yet captured or released (0 when none): a stuck settlement. */
  oldestUnsettledReservation: 'cineweave_ledger_oldest_unsettled_reservation_seconds',
  gpuCost: 'cineweave_gpu_cost_usd_total',
  gpuSeconds: 'cineweave_gpu_seconds_total',
} as const;

export const WORKER_METRICS = {
  jobDuration: 'cineweave_worker_job_duration_seconds',
  stepSeconds: 'cineweave_worker_denoising_step_seconds',
  modelLoadSeconds: 'cineweave_worker_model_load_seconds',
  stageSeconds: 'cineweave_worker_stage_seconds',
  gpuSeconds: 'cineweave_worker_gpu_seconds_total',
  gpuCost: 'cineweave_worker_gpu_cost_usd_total',
  busy: 'cineweave_worker_busy',
} as const;

export const OPERATOR_METRICS = {
  reconcileTotal: 'cineweave_operator_reconcile_total',
  reconcileDuration: 'cineweave_operator_reconcile_duration_seconds',
  queueDepth: 'cineweave_operator_workqueue_depth',
  poolDesiredReplicas: 'cineweave_operator_pool_desired_replicas',
  poolReadyReplicas: 'cineweave_operator_pool_ready_replicas',
  poolMaxReplicas: 'cineweave_operator_pool_max_replicas',
  poolBacklog: 'cineweave_operator_pool_backlog',
  videoJobsByPhase: 'cineweave_operator_videojobs',
  /** 1 on the replica that holds the leader Lease and reconciles, 0 on standbys. */
  leader: 'cineweave_operator_leader',
} as const;
