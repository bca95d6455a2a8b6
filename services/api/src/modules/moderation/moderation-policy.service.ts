import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ModerationFailMode, ModerationPolicy, ModerationPolicyView } from '@cineweave/contracts';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../core/config/app-config.ts';
import { AuditService } from '../audit/audit.service.ts';

interface PolicyRow {
  terms: string[];
  patterns: string[];
  fail_mode: ModerationFailMode | null;
  updated_at: Date;
}

/** How long a replica trusts its copy of the policy; an admin's change reaches every replica within it. */
const POLICY_TTL_MS = 5_000;

/**
 * The install's moderation policy (organizations do not exist yet: one row with a null
 * organization id; an organization's row can be added beside it). Cached briefly, since admission
 * reads it for every job.
 */
@Injectable()
export class ModerationPolicyService {
  private cached: { at: number; row: PolicyRow | null } | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async current(): Promise<{ policy: ModerationPolicy; failMode: ModerationFailMode }> {
    if (!this.cached || Date.now() - this.cached.at > POLICY_TTL_MS) {
      const rows = (await this.db.query(
        `SELECT terms, patterns, fail_mode, updated_at FROM moderation_policies WHERE organization_id IS NULL`,
      )) as PolicyRow[];
      this.cached = { at: Date.now(), row: rows[0] ?? null };
    }
    const row = this.cached.row;
    const policy: ModerationPolicy = {
      terms: row?.terms ?? [],
      patterns: row?.patterns ?? [],
      failMode: row?.fail_mode ?? null,
    };
    return { policy, failMode: policy.failMode ?? this.config.env.MODERATION_FAIL_MODE };
  }

  async view(): Promise<ModerationPolicyView> {
    this.cached = null;
    const { policy, failMode } = await this.current();
    return {
      ...policy,
      effectiveFailMode: failMode,
      classifierConfigured: this.config.env.MODERATION_CLASSIFIER_URL !== undefined,
      updatedAt: this.cached!.row?.updated_at.toISOString() ?? null,
    };
  }

  async update(policy: ModerationPolicy, actor: string): Promise<ModerationPolicyView> {
    const before = await this.view();
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO moderation_policies (organization_id, terms, patterns, fail_mode, updated_by)
         VALUES (NULL, $1, $2, $3, $4)
         ON CONFLICT ((coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid)))
         DO UPDATE SET terms = $1, patterns = $2, fail_mode = $3, updated_by = $4, updated_at = now()`,
        [policy.terms, policy.patterns, policy.failMode, actor],
      );
      await this.audit.record(
        {
          action: 'moderation.policy-changed',
          target: { type: 'moderation-policy', id: 'install' },
          before: { terms: before.terms, patterns: before.patterns, failMode: before.failMode },
          after: policy,
        },
        tx,
      );
    });
    return this.view();
  }
}
