import { Injectable } from '@nestjs/common';
import type { JobStatus, VideoJobPayload } from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';
import { ACTIVE_STATUS_SQL } from '../../core/database/job-status-sql.ts';

/** An outbox row as the dispatcher takes it in, with what it needs of its job (null: the job is gone). */
export interface HeldEntry {
  jobId: string;
  payload: VideoJobPayload;
  teamId: string | null;
  priority: number | null;
  status: JobStatus | null;
  /** The job ran before (a worker's attempt was lost): it goes in front of its team's class. */
  ranBefore: boolean;
}

/** A job that ended after the dispatcher picked it, with the GPU time it really took. */
export interface EndedJob {
  jobId: string;
  gpuSeconds: number;
}

interface HeldRow {
  job_id: string;
  payload: VideoJobPayload;
  account_id: string | null;
  priority: number | null;
  status: JobStatus | null;
  started_at: Date | null;
}

/** Each taken row looks its job up by primary key (see OutboxRepository on why not a plain join). */
const WITH_JOB = `SELECT h.job_id, h.payload, j.account_id, j.priority, j.status, j.started_at
  FROM held h
  LEFT JOIN LATERAL (SELECT account_id, priority, status, started_at FROM jobs WHERE jobs.id = h.job_id LIMIT 1) j ON true
 ORDER BY h.id`;

/**
 * The fair dispatcher's SQL. An outbox row stays until its job is in BullMQ: while the dispatcher
 * holds the job only in memory, the row keeps it safe (a new dispatcher rebuilds from the rows) and
 * tells the reconciler the job is waiting, not lost. `held_at` marks rows already taken in.
 */
@Injectable()
export class FairDispatchRepository {
  constructor(private readonly db: Database) {}

  /** Up to `limit` rows no dispatcher took in yet, oldest first, marked as taken. */
  async takeNew(limit: number): Promise<HeldEntry[]> {
    return this.entries(
      `WITH held AS (
         UPDATE outbox SET held_at = now()
          WHERE id IN (SELECT id FROM outbox WHERE held_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, job_id, payload)
       ${WITH_JOB}`,
      [limit],
    );
  }

  /** Every row, taken in or not: what a dispatcher that just got the lock rebuilds its queues from. */
  async takeAll(): Promise<HeldEntry[]> {
    return this.entries(
      `WITH held AS (UPDATE outbox SET held_at = coalesce(held_at, now()) RETURNING id, job_id, payload)
       ${WITH_JOB}`,
      [],
    );
  }

  /** The jobs are in BullMQ (or ended): their rows go. */
  async release(jobIds: readonly string[], sql: Sql = this.db): Promise<void> {
    if (jobIds.length === 0) return;
    await sql.execute(`DELETE FROM outbox WHERE job_id = ANY($1::uuid[])`, [jobIds]);
  }

  /** The queue weight of each team's plan (a team is an `accounts` row; its plan sets the weight). */
  async weights(teamIds: readonly string[]): Promise<Map<string, number>> {
    if (teamIds.length === 0) return new Map();
    const rows = await this.db.query<{ id: string; queue_weight: number }>(
      `SELECT a.id, p.queue_weight FROM accounts a JOIN plans p ON p.id = a.plan_id WHERE a.id = ANY($1::uuid[])`,
      [teamIds],
    );
    return new Map(rows.map((row) => [row.id, Number(row.queue_weight)]));
  }

  /**
   * Those of `jobIds` that ended, with their GPU time: the worker's own figure when it reported
   * one, else the wall time it held the job, else 0 (it never started: cancelled or timed out).
   */
  async ended(jobIds: readonly string[]): Promise<EndedJob[]> {
    if (jobIds.length === 0) return [];
    const rows = await this.db.query<{ id: string; seconds: number }>(
      `SELECT id, coalesce(gpu_seconds, EXTRACT(EPOCH FROM finished_at - started_at), 0)::float8 AS seconds
         FROM jobs WHERE id = ANY($1::uuid[]) AND status NOT IN ${ACTIVE_STATUS_SQL}`,
      [jobIds],
    );
    return rows.map((row) => ({ jobId: row.id, gpuSeconds: Math.max(0, Number(row.seconds)) }));
  }

  /**
   * The median wall time (start to finish, encode and upload included) of the model's last
   * `sample` succeeded jobs; null before it has any. Walks `jobs_model_recent`. The
   * figure behind both a team's charge per job and the queue estimate (RenderTimes).
   */
  async recentRenderSeconds(model: string, sample = 20): Promise<number | null> {
    const [row] = await this.db.query<{ seconds: number | null }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)::float8 AS seconds
         FROM (SELECT EXTRACT(EPOCH FROM finished_at - started_at) AS seconds FROM jobs
                WHERE status = 'succeeded' AND model = $1 AND started_at IS NOT NULL
                ORDER BY finished_at DESC LIMIT $2) recent`,
      [model, sample],
    );
    return row?.seconds ?? null;
  }

  /** Those of `jobIds` no longer queued (cancelled or timed out while they waited in a fair queue). */
  async notQueued(jobIds: readonly string[]): Promise<string[]> {
    if (jobIds.length === 0) return [];
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM jobs WHERE id = ANY($1::uuid[]) AND status <> 'queued'`,
      [jobIds],
    );
    return rows.map((row) => row.id);
  }

  private async entries(text: string, values: unknown[]): Promise<HeldEntry[]> {
    const rows = await this.db.query<HeldRow>(text, values);
    return rows.map((row) => ({
      jobId: row.job_id,
      payload: row.payload,
      teamId: row.account_id,
      priority: row.priority,
      status: row.status,
      ranBefore: row.started_at !== null,
    }));
  }
}
