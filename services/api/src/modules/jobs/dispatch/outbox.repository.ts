import { Injectable } from '@nestjs/common';
import type { JobStatus, VideoJobPayload } from '@cineweave/contracts';
import { Database, type Sql } from '../../../core/database/database.ts';

/** A claimed outbox row with what the relay needs of its job (null fields: the job is gone). */
export interface ClaimedEntry {
  jobId: string;
  payload: VideoJobPayload;
  priority: number | null;
  status: JobStatus | null;
}

/**
 * Claims the oldest rows no other replica holds and deletes them in the same statement; the
 * transaction around it commits only after BullMQ has the jobs, so a crash or a Redis error
 * puts the rows back. One statement instead of select-then-mark keeps the relay to three round
 * trips per batch. Each claimed row looks its job up by primary key: as a plain join, the
 * prepared statement's generic plan hashed a sequential scan of all of `jobs` on every batch
 * (auto_explain under bench/api-admission), which doubled Postgres's CPU per admission.
 * The LIMIT keeps the planner from turning the lookup back into that join.
 */
const CLAIM_BATCH = `WITH claimed AS (
  DELETE FROM outbox
   WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
  RETURNING id, job_id, payload
)
SELECT c.job_id, c.payload, j.priority, j.status
  FROM claimed c
  LEFT JOIN LATERAL (SELECT priority, status FROM jobs WHERE jobs.id = c.job_id LIMIT 1) j ON true
 ORDER BY c.id`;

/** The outbox: jobs committed for their work queue and not yet sent there (admission writes its own rows). */
@Injectable()
export class OutboxRepository {
  constructor(private readonly db: Database) {}

  /** Adds a job's payload for its queue, in the caller's transaction. */
  async add(topic: string, payload: VideoJobPayload, tx: Sql): Promise<void> {
    await tx.execute(`INSERT INTO outbox (topic, job_id, payload) VALUES ($1, $2, $3::jsonb)`, [
      topic,
      payload.jobId,
      JSON.stringify(payload),
    ]);
  }

  /** Up to `limit` rows, deleted when `tx` commits (the relay's hot path: prepared). */
  async claim(limit: number, tx: Sql): Promise<ClaimedEntry[]> {
    const rows = await tx.prepared<{
      job_id: string;
      payload: VideoJobPayload;
      priority: number | null;
      status: JobStatus | null;
    }>('outbox-claim', CLAIM_BATCH, [limit]);
    return rows.map((row) => ({
      jobId: row.job_id,
      payload: row.payload,
      priority: row.priority,
      status: row.status,
    }));
  }

  /** Seconds the oldest pending row has waited (0 when none does). */
  async lagSeconds(): Promise<number> {
    const [row] = await this.db.query<{ lag: number | null }>(
      `SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS lag FROM outbox`,
    );
    return row?.lag ?? 0;
  }
}
