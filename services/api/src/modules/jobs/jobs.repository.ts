import { Injectable } from '@nestjs/common';
import type { JobStatus } from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';
import { JOB_ROW_COLUMNS, type Job, type JobRow, jobFromRow } from './job-row.ts';
import { ACTIVE_STATUS_SQL } from '../../core/database/job-status-sql.ts';

/** The outputs retention deletes, and the job they belong to. */
export interface JobOutputKeys {
  id: string;
  videoKey: string | null;
  thumbnailKey: string | null;
}

/** Unfinished jobs of one model: waiting for a worker, and on one. */
export interface ModelLoad {
  model: string;
  waiting: number;
  active: number;
}

/**
 * Reads of `jobs` (and its one non-status write, the cancel request); status changes are
 * JobTransitions'. Answers camelCase Jobs: no row shape leaves this file.
 */
@Injectable()
export class JobsRepository {
  constructor(private readonly db: Database) {}

  /** The job, if it exists and (given an account) belongs to that account. */
  async find(jobId: string, scope: { accountId?: string } = {}, sql: Sql = this.db): Promise<Job | null> {
    const [row] = await sql.query<JobRow>(
      `SELECT ${JOB_ROW_COLUMNS} FROM jobs WHERE id = $1 AND ($2::uuid IS NULL OR account_id = $2::uuid)`,
      [jobId, scope.accountId ?? null],
    );
    return row ? jobFromRow(row) : null;
  }

  /** The job locked until the end of `tx`, so that its endings serialise (settlement). */
  async lock(jobId: string, tx: Sql): Promise<Job | null> {
    const [row] = await tx.query<JobRow>(`SELECT ${JOB_ROW_COLUMNS} FROM jobs WHERE id = $1 FOR UPDATE`, [
      jobId,
    ]);
    return row ? jobFromRow(row) : null;
  }

  /** The job a VideoJob uid created, if any. */
  async findByExternalRef(externalRef: string): Promise<Job | null> {
    const [row] = await this.db.query<JobRow>(`SELECT ${JOB_ROW_COLUMNS} FROM jobs WHERE external_ref = $1`, [
      externalRef,
    ]);
    return row ? jobFromRow(row) : null;
  }

  /** Newest first, after the keyset `after` (created_at, id), at most `limit`. */
  async page(
    scope: { accountId?: string },
    filter: { status?: JobStatus; after?: readonly [string, string]; limit: number },
  ): Promise<Job[]> {
    const rows = await this.db.query<JobRow>(
      `SELECT ${JOB_ROW_COLUMNS} FROM jobs
        WHERE ($1::uuid IS NULL OR account_id = $1::uuid)
          AND ($2::text IS NULL OR status = $2::text)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $5`,
      [
        scope.accountId ?? null,
        filter.status ?? null,
        filter.after?.[0] ?? null,
        filter.after?.[1] ?? null,
        filter.limit,
      ],
    );
    return rows.map(jobFromRow);
  }

  /** Whether `objectKey` is one of the account's job outputs (a video or a thumbnail). */
  async ownsOutput(accountId: string, objectKey: string): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM jobs WHERE account_id = $1 AND (video_key = $2 OR thumbnail_key = $2) LIMIT 1`,
      [accountId, objectKey],
    );
    return rows.length > 0;
  }

  /** Records that someone asked to cancel the job (the first request's time is kept). */
  async markCancelRequested(jobId: string): Promise<void> {
    await this.db.execute(
      `UPDATE jobs SET cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now() WHERE id = $1`,
      [jobId],
    );
  }

  /**
   * Queued jobs of the same model admitted before this one, with how many are its own team's and
   * how many other teams they belong to: the standing of a job the fair dispatcher has not placed.
   */
  async queuedAhead(
    job: Pick<Job, 'model' | 'accountId' | 'createdAt'>,
  ): Promise<{ position: number; teamJobsAhead: number; teamsAhead: number }> {
    const [row] = await this.db.query<{ position: number; own: number; teams: number }>(
      `SELECT count(*)::int AS position,
              count(*) FILTER (WHERE account_id = $2)::int AS own,
              count(DISTINCT account_id) FILTER (WHERE account_id <> $2)::int AS teams
         FROM jobs WHERE status = 'queued' AND model = $1 AND created_at < $3`,
      [job.model, job.accountId, job.createdAt],
    );
    return { position: row.position, teamJobsAhead: row.own, teamsAhead: row.teams };
  }

  /** Seconds since the oldest active job was admitted (0 without any): its reservation's age. */
  async oldestActiveAgeSeconds(): Promise<number> {
    const [row] = await this.db.query<{ seconds: number }>(
      `SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS seconds
         FROM jobs WHERE status IN ${ACTIVE_STATUS_SQL}`,
    );
    return Number(row?.seconds ?? 0);
  }

  /** Active jobs admitted more than `seconds` ago, oldest first. */
  async activeAdmittedBefore(seconds: number, limit: number): Promise<Pick<Job, 'id' | 'model'>[]> {
    return this.db.query<{ id: string; model: string }>(
      `SELECT id, model FROM jobs WHERE status IN ${ACTIVE_STATUS_SQL}
          AND created_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT $2`,
      [seconds, limit],
    );
  }

  /**
   * Active jobs unchanged for `seconds` that the outbox no longer holds (a job's row goes when the
   * fair dispatcher puts it in BullMQ, so a job still waiting for its team's turn keeps one; the
   * grace covers an add in flight): candidates for a lost queue entry.
   */
  async relayedAndIdleFor(seconds: number, limit: number): Promise<Job[]> {
    const rows = await this.db.query<JobRow>(
      `SELECT ${JOB_ROW_COLUMNS} FROM jobs j WHERE status IN ${ACTIVE_STATUS_SQL}
          AND updated_at < now() - make_interval(secs => $1)
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.job_id = j.id)
        ORDER BY created_at LIMIT $2`,
      [seconds, limit],
    );
    return rows.map(jobFromRow);
  }

  /** Those of `jobIds` that are no longer active (they ended). */
  async endedAmong(jobIds: readonly string[], sql: Sql = this.db): Promise<string[]> {
    const rows = await sql.query<{ id: string }>(
      `SELECT id FROM jobs WHERE id = ANY($1::uuid[]) AND status NOT IN ${ACTIVE_STATUS_SQL}`,
      [jobIds],
    );
    return rows.map((row) => row.id);
  }

  /** Models with unfinished jobs. */
  async activeModels(): Promise<string[]> {
    const rows = await this.db.query<{ model: string }>(
      `SELECT DISTINCT model FROM jobs WHERE status IN ${ACTIVE_STATUS_SQL}`,
    );
    return rows.map((row) => row.model);
  }

  /** Per model, how many unfinished jobs wait and how many run. */
  async loadByModel(): Promise<ModelLoad[]> {
    return this.db.query<{ model: string; waiting: number; active: number }>(
      `SELECT model, count(*) FILTER (WHERE status = 'queued')::int AS waiting,
              count(*) FILTER (WHERE status = 'running')::int AS active
         FROM jobs WHERE status IN ${ACTIVE_STATUS_SQL} GROUP BY model ORDER BY model`,
    );
  }

  /** Succeeded jobs finished before `cutoff`, oldest first: outputs past retention. */
  async outputsFinishedBefore(cutoff: Date, limit: number): Promise<JobOutputKeys[]> {
    return outputKeys(
      await this.db.query(
        `SELECT id, video_key, thumbnail_key FROM jobs WHERE status = 'succeeded' AND finished_at < $1
          ORDER BY finished_at LIMIT $2`,
        [cutoff, limit],
      ),
    );
  }

  /** The outputs of one job, if it has succeeded and they were not deleted yet. */
  async outputsOf(jobId: string): Promise<JobOutputKeys[]> {
    return outputKeys(
      await this.db.query(
        `SELECT id, video_key, thumbnail_key FROM jobs WHERE id = $1 AND status = 'succeeded'`,
        [jobId],
      ),
    );
  }
}

function outputKeys(rows: { id: string; video_key: string | null; thumbnail_key: string | null }[]) {
  return rows.map((row) => ({ id: row.id, videoKey: row.video_key, thumbnailKey: row.thumbnail_key }));
}
