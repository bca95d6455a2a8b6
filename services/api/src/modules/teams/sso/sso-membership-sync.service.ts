import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { GroupMembershipSync } from '../../../core/auth/group-membership-sync.ts';
import type { Principal } from '../../../core/auth/principal.ts';
import { AppConfig } from '../../../core/config/app-config.ts';
import { Database, type Transaction } from '../../../core/database/database.ts';
import { AccountsService } from '../../accounts/accounts.service.ts';
import { type AuditActor, AuditService, sessionIdOf } from '../../audit/audit.service.ts';
import { SsoMembershipsRepository } from './sso-memberships.repository.ts';
import { type SyncPlan, grantedTeams, planSync } from './sso-sync-plan.ts';

const SSO_ACTOR: AuditActor = { type: 'system', id: 'system:sso' };
const SYNCED_MAX = 10_000;

/**
 * Keeps a person's `sso` team memberships in step with the groups their token carries
 * (SSO_GROUPS_CLAIM through SSO_TEAM_MAPPINGS).
 *
 * When: in the auth guard, on the first request of each session and again whenever the groups
 * in the token change; not in `POST /v1/users/init`. The portal calls init once per sign-in, but
 * scripts and CLIs holding an OIDC access token never do, and a token refreshed mid-session with
 * a group removed must take the team away at once, not at the next portal sign-in. The check on
 * every other request is one hash and one Set lookup (no query), so it is as cheap as init.
 * A session is the token's `sid` (as for admin sign-ins), else the token itself.
 */
@Injectable()
export class SsoMembershipSync extends GroupMembershipSync {
  private readonly logger = new Logger(SsoMembershipSync.name);
  /** Sessions (with their groups) this process has synced; bounded, cleared when full. */
  private readonly synced = new Set<string>();
  /** Syncs running now, so a burst of a new session's first requests runs one sync. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly repository: SsoMembershipsRepository,
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async noteRequest(principal: Principal & { groups: string[] }, token: string): Promise<void> {
    if (principal.via === 'api-key') return;
    const key = createHash('sha256')
      .update(
        `${principal.userId}\u0000${sessionIdOf(token) ?? token}\u0000${principal.groups.join('\u0000')}`,
      )
      .digest('hex');
    if (this.synced.has(key)) return;
    let sync = this.running.get(key);
    if (!sync) {
      const started = this.sync(principal.userId, principal.email, principal.groups)
        .then(() => undefined)
        .finally(() => this.running.delete(key));
      this.running.set(key, started);
      sync = started;
    }
    await sync;
    if (this.synced.size >= SYNCED_MAX) this.synced.clear();
    this.synced.add(key);
  }

  /** Applies the mappings to one person's groups; answers what changed. */
  async sync(userId: string, email: string | undefined, groups: readonly string[]): Promise<SyncPlan> {
    // Memberships need the person's row; a first sign-in makes it (and their personal team) here.
    await this.accounts.ensureAccount(userId, email);
    const mappings = this.config.env.SSO_TEAM_MAPPINGS;
    const applied = await this.db.transaction(async (tx) => {
      await this.repository.lockUser(userId, tx);
      const granted = grantedTeams(mappings, groups);
      const teams = new Map(
        (await this.repository.teams([...granted.keys()], tx)).map((team) => [team.id, team]),
      );
      for (const teamId of [...granted.keys()]) {
        const team = teams.get(teamId);
        if (team && !team.personal) continue;
        // Configuration the API cannot fix: say so, grant the rest.
        this.logger.warn(
          { teamId, userId },
          team
            ? 'SSO_TEAM_MAPPINGS names a personal team, which has one member only; the mapping is skipped'
            : 'SSO_TEAM_MAPPINGS names a team that does not exist; the mapping is skipped',
        );
        granted.delete(teamId);
      }
      const held = await this.repository.held(userId, [...granted.keys()], tx);
      const organizationOf = new Map<string, string | null>([
        ...held.map((m): [string, string | null] => [m.teamId, m.organizationId]),
        ...[...teams.values()].map((t): [string, string | null] => [t.id, t.organizationId]),
      ]);
      return this.apply(userId, planSync(granted, held), organizationOf, tx);
    });
    const changes = applied.add.length + applied.change.length + applied.remove.length;
    if (changes > 0) {
      this.logger.log(
        { userId, added: applied.add.length, changed: applied.change.length, removed: applied.remove.length },
        'Synced SSO team memberships',
      );
    }
    return applied;
  }

  /** Carries out the plan, audited, never leaving a team without an owner; answers what was done. */
  private async apply(
    userId: string,
    plan: SyncPlan,
    organizationOf: Map<string, string | null>,
    tx: Transaction,
  ): Promise<SyncPlan> {
    const done: SyncPlan = { add: [], change: [], remove: [] };
    const record = (
      action: 'team.member-added' | 'team.member-role-changed' | 'team.member-removed',
      teamId: string,
      before: unknown,
      after: unknown,
    ) =>
      this.audit.record(
        {
          action,
          // The shape the team routes record member changes in, so one filter finds both.
          target: { type: 'team-member', id: `${teamId}:${userId}` },
          before,
          after,
          actor: SSO_ACTOR,
          organizationId: organizationOf.get(teamId) ?? null,
        },
        tx,
      );
    for (const { teamId, role } of plan.add) {
      if (!(await this.repository.add(teamId, userId, role, tx))) continue;
      await record('team.member-added', teamId, null, { teamId, userId, role, source: 'sso' });
      done.add.push({ teamId, role });
    }
    for (const change of plan.change) {
      if (change.from === 'owner' && !(await this.keepsAnOwner(change.teamId, userId, tx))) continue;
      if (!(await this.repository.changeRole(change.teamId, userId, change.to, tx))) continue;
      await record(
        'team.member-role-changed',
        change.teamId,
        { teamId: change.teamId, userId, role: change.from, source: 'sso' },
        { teamId: change.teamId, userId, role: change.to, source: 'sso' },
      );
      done.change.push(change);
    }
    for (const { teamId, role } of plan.remove) {
      if (role === 'owner' && !(await this.keepsAnOwner(teamId, userId, tx))) continue;
      if (!(await this.repository.remove(teamId, userId, tx))) continue;
      await record('team.member-removed', teamId, { teamId, userId, role, source: 'sso' }, null);
      done.remove.push({ teamId, role });
    }
    return done;
  }

  private async keepsAnOwner(teamId: string, userId: string, tx: Transaction): Promise<boolean> {
    if (await this.repository.hasOtherOwner(teamId, userId, tx)) return true;
    this.logger.warn(
      { teamId, userId },
      "Kept an SSO owner whose group no longer makes them owner: they are the team's last owner; add another owner, and the next sign-in applies the change",
    );
    return false;
  }
}
