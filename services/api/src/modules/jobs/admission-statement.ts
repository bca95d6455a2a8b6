import type { VideoJobPayload } from '@cineweave/contracts';
import { JOB_ROW_COLUMNS } from './job-row.ts';

/** What one admission writes; every field becomes a parameter of ADMISSION_STATEMENT. */
export interface AdmissionValues {
  jobId: string;
  accountId: string;
  userId: string;
  source: 'api' | 'internal';
  externalRef: string | null;
  prompt: string;
  negativePrompt: string | null;
  imageUploadId: string | null;
  imageKey: string | null;
  imageSha256: string | null;
  resolution: string;
  durationSeconds: number;
  fps: number;
  seed: number;
  steps: number;
  guidanceScale: number;
  model: string;
  priority: number;
  /** The price: reserved now, captured or released when the job ends. */
  credits: number;
  attemptToken: string;
  /** The queue the outbox row is for. */
  topic: string;
  payload: VideoJobPayload;
  /** MAX_ACTIVE_JOBS_PER_USER: the limit of plans without their own. */
  defaultActiveJobLimit: number;
}

export const ADMISSION_STATEMENT_NAME = 'admit-job';

/**
 * Admission as one statement, so one round trip and one implicit transaction: lock the account
 * row, check the active-job limit and the available credits, and only if both pass insert the
 * job, its reserve ledger row, the account's new totals and the outbox row. The lock is held for
 * the statement alone, which is what keeps admission fast when many accounts submit at once.
 * It answers one row: the account as locked (acct_*) and the job, whose columns are null when
 * the account could not admit it.
 */
export const ADMISSION_STATEMENT = `WITH acct AS (
  SELECT a.id, a.balance, a.reserved, a.active_jobs, coalesce(p.active_job_limit, $23::int) AS job_limit
    FROM accounts a JOIN plans p ON p.id = a.plan_id
   WHERE a.id = $2
     FOR UPDATE OF a
), admitted AS (
  SELECT id FROM acct WHERE active_jobs < job_limit AND balance - reserved >= $19
), job AS (
  INSERT INTO jobs (id, account_id, user_id, status, source, external_ref, prompt, negative_prompt,
                    image_upload_id, image_key, image_sha256, resolution, duration_seconds, fps, seed,
                    steps, guidance_scale, model, priority, credits_reserved, attempt_token)
  SELECT $1, admitted.id, $3, 'queued', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
         $19, $20
    FROM admitted
  RETURNING ${JOB_ROW_COLUMNS}
), reserve AS (
  INSERT INTO credit_ledger (account_id, kind, amount, reserved_delta, job_id, reason, actor)
  SELECT account_id, 'reserve', 0, credits_reserved, id, 'Reserved at admission', user_id FROM job
), totals AS (
  UPDATE accounts SET reserved = reserved + $19, active_jobs = active_jobs + 1, updated_at = now()
   WHERE id IN (SELECT account_id FROM job)
), outbox AS (
  INSERT INTO outbox (topic, job_id, payload) SELECT $21, id, $22::jsonb FROM job
)
SELECT acct.balance AS acct_balance, acct.reserved AS acct_reserved, acct.active_jobs AS acct_active_jobs,
       acct.job_limit AS acct_job_limit, job.*
  FROM acct LEFT JOIN job ON true`;

export function admissionParameters(values: AdmissionValues): unknown[] {
  return [
    values.jobId,
    values.accountId,
    values.userId,
    values.source,
    values.externalRef,
    values.prompt,
    values.negativePrompt,
    values.imageUploadId,
    values.imageKey,
    values.imageSha256,
    values.resolution,
    values.durationSeconds,
    values.fps,
    values.seed,
    values.steps,
    values.guidanceScale,
    values.model,
    values.priority,
    values.credits,
    values.attemptToken,
    values.topic,
    JSON.stringify(values.payload),
    values.defaultActiveJobLimit,
  ];
}
