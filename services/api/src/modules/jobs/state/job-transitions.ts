import { Injectable } from '@nestjs/common';
import {
  type ContentCredentialsSummary,
  JOB_STATUSES,
  type JobStage,
  type JobStatus,
  canTransition,
} from '@cineweave/contracts';
import { Database, type Sql } from '../../../core/database/database.ts';
import { sqlStatusList } from '../../../core/database/job-status-sql.ts';
import { DomainError } from '../../../core/errors/domain-error.ts';
import { JOB_ROW_COLUMNS, type Job, type JobRow, jobFromRow } from '../job-row.ts';

/** A status change the contracts' transition table does not allow. */
export class ForbiddenJobTransition extends DomainError {
  constructor(
    readonly from: JobStatus,
    readonly to: JobStatus,
  ) {
    super('INVALID_STATE', `A job cannot go from ${from} to ${to}.`);
    this.name = 'ForbiddenJobTransition';
  }
}

/** The statuses the table lets a job leave for `to`: the guard of every write of `to`. */
export function statusesLeadingTo(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => canTransition(from, to));
}

/** What a worker's successful result stores on its job. */
export interface JobOutputs {
  creditsCharged: number;
  videoKey: string;
  thumbnailKey: string;
  durationSeconds: number;
  frames: number;
  modelHash: string;
  gpuSeconds: number;
  workerId: string | null;
  contentCredentials: ContentCredentialsSummary | null;
}

/** What an unsuccessful ending stores on its job. */
export interface JobFailure {
  reason: string;
  gpuSeconds: number | null;
  workerId: string | null;
}

interface Move {
  to: JobStatus;
  /** Assignments besides `status`, with placeholders from $3 on (values in `values`). */
  set: string;
  values?: readonly unknown[];
  /** The status the caller knows the job is in: a forbidden pair throws before anything is written. */
  from?: JobStatus;
  /** Also match jobs already in `to` (a repeated step, not a transition: the table is not asked). */
  orStay?: boolean;
  /** Only the given attempt: a result or requeue of an older attempt changes nothing. */
  attemptToken?: string;
}

/**
 * The one writer of `jobs.status`. Every change goes through the contracts' transition table:
 * the SQL guard of a move to `to` is the set of statuses the table lets a job leave for `to`, so a
 * racing writer (a duplicate result, a late event, another replica) finds its guard unmatched and
 * changes nothing; a caller that names the state it expects and asks for a move the table
 * forbids gets a ForbiddenJobTransition naming both states. Each method answers the job as it
 * changed it (null, or none, when the guard did not match) and runs on `sql`: the pool, or a caller's open
 * transaction (settlement moves the status and the ledger in one).
 */
@Injectable()
export class JobTransitions {
  constructor(private readonly db: Database) {}

  /** A bare status change (what the table allows, nothing else written). */
  async move(
    jobId: string,
    to: JobStatus,
    options: { from?: JobStatus } = {},
    sql: Sql = this.db,
  ): Promise<Job | null> {
    return this.one(sql, jobId, { to, set: 'updated_at = now()', ...options });
  }

  /** A worker took the job: `queued -> running`. */
  async start(jobId: string, sql: Sql = this.db): Promise<Job | null> {
    return this.one(sql, jobId, {
      to: 'running',
      set: 'started_at = coalesce(started_at, now()), updated_at = now()',
    });
  }

  /** The worker handed the job back (shutdown, or a crash BullMQ retries): `running -> queued`. */
  async handBack(jobId: string, sql: Sql = this.db): Promise<Job | null> {
    return this.one(sql, jobId, {
      to: 'queued',
      set: 'progress_percent = 0, progress_stage = NULL, updated_at = now()',
    });
  }

  /**
   * Progress from the worker, stored coarsely for late readers. A report is proof the job runs:
   * a queued job (its `active` event not seen yet) becomes running. Leaves `updated_at` alone:
   * the reconciler's grace counts from the last change of state, not from the last report.
   * An attempt's percent only grows, but two reports a few milliseconds apart may be applied by
   * two replicas in either order: the older one, arriving second, must not move the bar back.
   */
  async recordProgress(
    jobId: string,
    progress: { percent: number; stage: JobStage | null },
    sql: Sql = this.db,
  ): Promise<Job | null> {
    return this.one(sql, jobId, {
      to: 'running',
      orStay: true,
      set: `progress_stage = CASE WHEN $3 >= progress_percent THEN $4 ELSE progress_stage END,
            progress_percent = GREATEST(progress_percent, $3), started_at = coalesce(started_at, now())`,
      values: [progress.percent, progress.stage],
    });
  }

  /**
   * The reconciler re-enqueues an active job whose queue entry was lost, as a new attempt: its
   * token changes, so any result of the lost attempt is stale. A queued job stays queued.
   */
  async requeueLostAttempt(
    jobId: string,
    attempt: { current: string; next: string },
    sql: Sql = this.db,
  ): Promise<Job | null> {
    return this.one(sql, jobId, {
      to: 'queued',
      orStay: true,
      attemptToken: attempt.current,
      set: `attempt_token = $3, attempts = attempts + 1, progress_percent = 0, progress_stage = NULL,
            updated_at = now()`,
      values: [attempt.next],
    });
  }

  /** The worker delivered: `running -> succeeded`, with its outputs. */
  async succeed(jobId: string, outputs: JobOutputs, sql: Sql = this.db): Promise<Job | null> {
    return this.one(sql, jobId, {
      to: 'succeeded',
      set: `credits_charged = $3, video_key = $4, thumbnail_key = $5, output_duration_seconds = $6, frames = $7,
            model_hash = $8, gpu_seconds = $9, worker_id = $10, content_credentials = $11, progress_percent = 100,
            started_at = coalesce(started_at, now()), finished_at = now(), updated_at = now()`,
      values: [
        outputs.creditsCharged,
        outputs.videoKey,
        outputs.thumbnailKey,
        outputs.durationSeconds,
        outputs.frames,
        outputs.modelHash,
        outputs.gpuSeconds,
        outputs.workerId,
        outputs.contentCredentials ? JSON.stringify(outputs.contentCredentials) : null,
      ],
    });
  }

  /** The job ended without a video: failed (worker, timeout) or cancelled; nothing is charged. */
  async end(
    jobId: string,
    to: 'failed' | 'cancelled',
    failure: JobFailure,
    sql: Sql = this.db,
  ): Promise<Job | null> {
    return this.one(sql, jobId, {
      to,
      set: `credits_charged = 0, failure_reason = $3, gpu_seconds = $4, worker_id = $5, finished_at = now(),
            updated_at = now()`,
      values: [failure.reason, failure.gpuSeconds, failure.workerId],
    });
  }

  /** Retention deleted the outputs: `succeeded -> expired`. */
  async expire(jobIds: readonly string[], sql: Sql = this.db): Promise<Job[]> {
    if (jobIds.length === 0) return [];
    return this.write(sql, jobIds, {
      to: 'expired',
      set: 'expired_at = now(), updated_at = now()',
    });
  }

  private async one(sql: Sql, jobId: string, move: Move): Promise<Job | null> {
    const [job] = await this.write(sql, [jobId], move);
    return job ?? null;
  }

  private async write(sql: Sql, ids: readonly string[], move: Move): Promise<Job[]> {
    if (move.from !== undefined && !canTransition(move.from, move.to)) {
      throw new ForbiddenJobTransition(move.from, move.to);
    }
    const guard =
      move.from !== undefined
        ? [move.from]
        : [...statusesLeadingTo(move.to), ...(move.orStay ? [move.to] : [])];
    const values = [ids, move.to, ...(move.values ?? [])];
    const attempt =
      move.attemptToken === undefined ? '' : ` AND attempt_token = $${values.push(move.attemptToken)}`;
    const rows = await sql.query<JobRow>(
      `UPDATE jobs SET status = $2, ${move.set}
        WHERE id = ANY($1::uuid[]) AND status IN ${sqlStatusList(guard)}${attempt}
        RETURNING ${JOB_ROW_COLUMNS}`,
      values,
    );
    return rows.map(jobFromRow);
  }
}
