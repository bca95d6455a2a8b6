import { Injectable } from '@nestjs/common';
import type { ModerationFailMode, ModerationPolicy } from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';

/** The install's stored policy. */
export interface StoredModerationPolicy {
  terms: string[];
  patterns: string[];
  failMode: ModerationFailMode | null;
  updatedAt: Date;
}

export type ModerationOutcome = 'refused' | 'allowed-on-error' | 'refused-on-error';

export interface ModerationDecision {
  id: string;
  stage: 'input' | 'output';
  outcome: ModerationOutcome;
  provider: string;
  categories: string[];
  userId: string | null;
  jobId: string | null;
  detail: string | null;
  createdAt: Date;
}

/** A decision about to be written. */
export interface NewModerationDecision {
  stage: 'input' | 'output';
  outcome: ModerationOutcome;
  provider: string;
  categories: string[];
  userId: string;
  accountId: string;
  jobId?: string | null;
  detail: string | null;
}

/** Moderation policies and the decision log. */
@Injectable()
export class ModerationRepository {
  constructor(private readonly db: Database) {}

  /** The install-wide policy (no organization), or null when none was ever set. */
  async installPolicy(sql: Sql = this.db): Promise<StoredModerationPolicy | null> {
    const [row] = await sql.query<{
      terms: string[];
      patterns: string[];
      fail_mode: ModerationFailMode | null;
      updated_at: Date;
    }>(
      `SELECT terms, patterns, fail_mode, updated_at FROM moderation_policies WHERE organization_id IS NULL`,
    );
    return row
      ? { terms: row.terms, patterns: row.patterns, failMode: row.fail_mode, updatedAt: row.updated_at }
      : null;
  }

  async saveInstallPolicy(policy: ModerationPolicy, updatedBy: string, sql: Sql = this.db): Promise<void> {
    await sql.query(
      `INSERT INTO moderation_policies (organization_id, terms, patterns, fail_mode, updated_by)
       VALUES (NULL, $1, $2, $3, $4)
       ON CONFLICT ((coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid)))
       DO UPDATE SET terms = $1, patterns = $2, fail_mode = $3, updated_by = $4, updated_at = now()`,
      [policy.terms, policy.patterns, policy.failMode, updatedBy],
    );
  }

  /** Writes a decision; returns its id. */
  async recordDecision(decision: NewModerationDecision, sql: Sql = this.db): Promise<string> {
    const [row] = await sql.query<{ id: string }>(
      `INSERT INTO moderation_decisions (stage, outcome, provider, categories, user_id, account_id, job_id, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        decision.stage,
        decision.outcome,
        decision.provider,
        decision.categories,
        decision.userId,
        decision.accountId,
        decision.jobId ?? null,
        decision.detail,
      ],
    );
    return row!.id;
  }

  /** Newest first, after the `(createdAt, id)` of the previous page's last, at most `limit`. */
  async decisions(
    after: { createdAt: string; id: string } | null,
    limit: number,
    sql: Sql = this.db,
  ): Promise<ModerationDecision[]> {
    const rows = await sql.query<{
      id: string;
      stage: 'input' | 'output';
      outcome: ModerationOutcome;
      provider: string;
      categories: string[];
      user_id: string | null;
      job_id: string | null;
      detail: string | null;
      created_at: Date;
    }>(
      `SELECT id, stage, outcome, provider, categories, user_id, job_id, detail, created_at
         FROM moderation_decisions
        WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1::timestamptz, $2::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [after?.createdAt ?? null, after?.id ?? null, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      stage: row.stage,
      outcome: row.outcome,
      provider: row.provider,
      categories: row.categories,
      userId: row.user_id,
      jobId: row.job_id,
      detail: row.detail,
      createdAt: row.created_at,
    }));
  }
}
