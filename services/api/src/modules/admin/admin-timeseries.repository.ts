import { Injectable } from '@nestjs/common';
import { Database, type Sql } from '../../core/database/database.ts';
import { teamNameSql } from '../../core/database/team-name-sql.ts';

/** A bucket's size as Postgres reads it (`date_bin`, `generate_series`). */
export type BucketInterval = '1 hour' | '1 day';

/** Rows are keyed by their bucket's start; buckets without any row are absent (the service fills them). */
export interface StatusCount {
  at: Date;
  status: string;
  count: number;
}

export interface QueueDepth {
  at: Date;
  depth: number;
}

export interface WaitStats {
  at: Date;
  started: number;
  p95Seconds: number;
}

export interface TeamGpu {
  day: string;
  teamId: string;
  gpuSeconds: number;
}

export interface CreditsMoved {
  day: string;
  granted: number;
  toppedUp: number;
  captured: number;
}

/**
 * The admin overview's time series, read from jobs and the ledger (which other modules own and
 * this one only reads). Each query bins rows with `date_bin` from the range's start, which the
 * caller puts on a UTC bucket boundary, so no session time zone can shift a bucket.
 */
@Injectable()
export class AdminTimeseriesRepository {
  constructor(private readonly db: Database) {}

  /** Jobs created in `[from, to)` per bucket and current status. */
  async jobsByStatus(
    from: Date,
    to: Date,
    bucket: BucketInterval,
    sql: Sql = this.db,
  ): Promise<StatusCount[]> {
    return sql.query<StatusCount>(
      `SELECT date_bin($3::interval, created_at, $1) AS at, status, count(*)::int AS count
         FROM jobs
        WHERE created_at >= $1 AND created_at < $2
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [from, to, bucket],
    );
  }

  /**
   * Jobs waiting at each bucket start: created by then, and neither started nor finished (a job
   * cancelled while queued leaves the queue when it finishes). Only jobs that waited at some point
   * of the range are joined, so the cost follows the range, not the table.
   */
  async queueDepth(from: Date, to: Date, bucket: BucketInterval, sql: Sql = this.db): Promise<QueueDepth[]> {
    return sql.query<QueueDepth>(
      `WITH waited AS (
         SELECT created_at, coalesce(started_at, finished_at, 'infinity') AS left_at
           FROM jobs
          WHERE created_at < $2 AND coalesce(started_at, finished_at, 'infinity') > $1
       )
       SELECT b.at, count(w.created_at)::int AS depth
         FROM generate_series($1::timestamptz, $2::timestamptz - $3::interval, $3::interval) AS b(at)
         LEFT JOIN waited w ON w.created_at <= b.at AND w.left_at > b.at
        GROUP BY b.at ORDER BY b.at`,
      [from, to, bucket],
    );
  }

  /** Per bucket, how many jobs started and the 95th percentile of their wait (start − creation). */
  async waits(from: Date, to: Date, bucket: BucketInterval, sql: Sql = this.db): Promise<WaitStats[]> {
    return sql.query<WaitStats>(
      `SELECT date_bin($3::interval, started_at, $1) AS at, count(*)::int AS started,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at))::float8
                AS "p95Seconds"
         FROM jobs
        WHERE started_at >= $1 AND started_at < $2
        GROUP BY 1 ORDER BY 1`,
      [from, to, bucket],
    );
  }

  /** GPU seconds of jobs finished per UTC day and team, `from` being a UTC midnight. */
  async gpuByTeamPerDay(from: Date, to: Date, sql: Sql = this.db): Promise<TeamGpu[]> {
    return sql.query<TeamGpu>(
      `SELECT to_char(date_bin('1 day', finished_at, $1) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
              account_id AS "teamId", sum(gpu_seconds)::float8 AS "gpuSeconds"
         FROM jobs
        WHERE finished_at >= $1 AND finished_at < $2 AND gpu_seconds IS NOT NULL
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [from, to],
    );
  }

  /** Credits granted, topped up and captured per UTC day, `from` being a UTC midnight. */
  async creditsPerDay(from: Date, to: Date, sql: Sql = this.db): Promise<CreditsMoved[]> {
    const rows = await sql.query<{ day: string; granted: string; topped_up: string; captured: string }>(
      `SELECT to_char(date_bin('1 day', created_at, $1) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
              coalesce(sum(amount) FILTER (WHERE kind = 'grant'), 0)::bigint AS granted,
              coalesce(sum(amount) FILTER (WHERE kind = 'topup'), 0)::bigint AS topped_up,
              -- A capture moves the reserved price out of the balance: its amount is negative.
              coalesce(sum(-amount) FILTER (WHERE kind = 'capture'), 0)::bigint AS captured
         FROM credit_ledger
        WHERE created_at >= $1 AND created_at < $2 AND kind IN ('grant', 'topup', 'capture')
        GROUP BY 1 ORDER BY 1`,
      [from, to],
    );
    return rows.map((row) => ({
      day: row.day,
      granted: Number(row.granted),
      toppedUp: Number(row.topped_up),
      captured: Number(row.captured),
    }));
  }

  /** The report names of the given teams (account ids), by id. */
  async teamNames(ids: string[], sql: Sql = this.db): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await sql.query<{ id: string; name: string }>(
      `SELECT a.id, ${teamNameSql('a', 'u')} AS name
         FROM accounts a LEFT JOIN users u ON u.id = a.user_id
        WHERE a.id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.name]));
  }
}
