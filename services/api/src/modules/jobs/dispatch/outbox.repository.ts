import { Injectable } from '@nestjs/common';
import type { VideoJobPayload } from '@cineweave/contracts';
import { Database, type Sql } from '../../../core/database/database.ts';

/**
 * The outbox: jobs committed for their work queue and not yet in it (admission writes its own
 * rows). The fair dispatcher takes rows in and deletes each when its job enters BullMQ.
 */
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

  /**
   * Seconds the oldest row no dispatcher took in has waited (0 when none does). Rows taken in stay
   * until their job reaches BullMQ (the fair queue's backlog): that wait is the queue's, not lag.
   */
  /** Rows a dispatcher took in whose job is not in BullMQ yet, per work queue (the fair queues' backlog). */
  async heldByTopic(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ topic: string; held: number }>(
      `SELECT topic, count(*)::int AS held FROM outbox WHERE held_at IS NOT NULL GROUP BY topic`,
    );
    return new Map(rows.map((row) => [row.topic, row.held]));
  }

  async lagSeconds(): Promise<number> {
    const [row] = await this.db.query<{ lag: number | null }>(
      `SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS lag FROM outbox WHERE held_at IS NULL`,
    );
    return row?.lag ?? 0;
  }
}
