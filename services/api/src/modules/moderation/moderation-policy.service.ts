import { Injectable } from '@nestjs/common';
import type { ModerationFailMode, ModerationPolicy, ModerationPolicyView } from '@cineweave/contracts';
import { AppConfig } from '../../core/config/app-config.ts';
import { Database } from '../../core/database/database.ts';
import { AuditService } from '../audit/audit.service.ts';
import { ModerationRepository, type StoredModerationPolicy } from './moderation.repository.ts';

/** How long a replica trusts its copy of the policy; an admin's change reaches every replica within it. */
const POLICY_TTL_MS = 5_000;

/**
 * The install's moderation policy (organizations do not exist yet: one row with a null
 * organization id; an organization's row can be added beside it). Cached briefly, since admission
 * reads it for every job.
 */
@Injectable()
export class ModerationPolicyService {
  private cached: { at: number; stored: StoredModerationPolicy | null } | null = null;

  constructor(
    private readonly db: Database,
    private readonly policies: ModerationRepository,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async current(): Promise<{ policy: ModerationPolicy; failMode: ModerationFailMode }> {
    if (!this.cached || Date.now() - this.cached.at > POLICY_TTL_MS) {
      this.cached = { at: Date.now(), stored: await this.policies.installPolicy() };
    }
    const stored = this.cached.stored;
    const policy: ModerationPolicy = {
      terms: stored?.terms ?? [],
      patterns: stored?.patterns ?? [],
      failMode: stored?.failMode ?? null,
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
      updatedAt: this.cached!.stored?.updatedAt.toISOString() ?? null,
    };
  }

  async update(policy: ModerationPolicy, actor: string): Promise<ModerationPolicyView> {
    const before = await this.view();
    await this.db.transaction(async (tx) => {
      await this.policies.saveInstallPolicy(policy, actor, tx);
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
