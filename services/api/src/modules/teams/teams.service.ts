import { Injectable } from '@nestjs/common';
import type {
  CreateTeamRequest,
  TeamLimits,
  TeamSummary,
  TeamView,
  UpdateTeamLimitsRequest,
} from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';
import { AppConfig } from '../../core/config/app-config.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { AccountsService } from '../accounts/accounts.service.ts';
import { AuditService } from '../audit/audit.service.ts';
import { MembersRepository } from './members.repository.ts';
import { quotaMonth } from './quota-month.ts';
import { TeamAccess, requireTeamRole, teamNotFound } from '../accounts/team-access.ts';
import { type LockedTeam, type TeamSummaryRow, TeamsRepository } from './teams.repository.ts';

export function summaryOf(row: TeamSummaryRow): TeamSummary {
  return {
    id: row.id,
    name: row.name,
    personal: row.personal,
    organization: row.organization,
    plan: row.planId,
    role: row.role,
    isDefault: row.isDefault,
  };
}

/** Teams themselves: listing, creating, the team page, renaming, limits, the caller's default team. */
@Injectable()
export class TeamsService {
  constructor(
    private readonly db: Database,
    private readonly teams: TeamsRepository,
    private readonly members: MembersRepository,
    private readonly accounts: AccountsService,
    private readonly access: TeamAccess,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** The caller's teams; a first call makes their personal team, as any first request does. */
  async list(principal: Principal): Promise<TeamSummary[]> {
    await this.accounts.ensureAccount(principal.userId, principal.email);
    return (await this.teams.summaries(principal.userId)).map(summaryOf);
  }

  /** The team `teamId` as the caller sees it in their list; a 404 when they are not in it. */
  async summary(userId: string, teamId: string): Promise<TeamSummary> {
    const [row] = await this.teams.summaries(userId, teamId);
    if (!row) throw teamNotFound(teamId);
    return summaryOf(row);
  }

  /**
   * A new team with the caller as its owner, in a new organization, or in `organizationId` when
   * they own a team there. It starts on the free plan with no credits: an install admin grants them.
   */
  async create(principal: Principal, body: CreateTeamRequest): Promise<TeamSummary> {
    await this.accounts.ensureAccount(principal.userId, principal.email);
    const teamId = await this.db.transaction(async (tx) => {
      const organization = body.organizationId
        ? await this.teams.organizationOwnedBy(body.organizationId, principal.userId, tx)
        : await this.teams.createOrganization(body.organizationName ?? body.name, principal.userId, tx);
      if (!organization) {
        throw new DomainError(
          'NOT_FOUND',
          `Organization ${body.organizationId} was not found among the organizations you own a team in; leave organizationId out to start a new one.`,
        );
      }
      const id = await this.teams.createTeam(body.name, organization.id, tx);
      await this.members.add(id, principal.userId, 'owner', 'manual', tx);
      await this.audit.record(
        {
          action: 'team.created',
          target: { type: 'team', id },
          after: { name: body.name, organization, owner: principal.userId, plan: 'free' },
          organizationId: organization.id,
        },
        tx,
      );
      return id;
    });
    return this.summary(principal.userId, teamId);
  }

  async view(principal: Principal, teamId: string): Promise<TeamView> {
    const team = await this.access.require(principal, teamId, 'viewer');
    const month = quotaMonth();
    const facts = await this.teams.facts(team.id, month.start);
    const limits: TeamLimits = {
      activeJobLimit: team.activeJobLimit,
      monthlyCreditQuota: team.monthlyCreditQuota,
      memberMonthlyCap: team.memberMonthlyCap,
    };
    return {
      id: team.id,
      name: team.name,
      personal: team.personal,
      organization: facts.organization,
      plan: team.planId,
      role: team.role,
      isDefault: team.isDefault,
      createdAt: team.createdAt,
      limits,
      // The plan's limit (else the install's default) is a ceiling the team's own limit can only narrow.
      effectiveActiveJobLimit: Math.min(
        team.activeJobLimit ?? Number.POSITIVE_INFINITY,
        facts.planActiveJobLimit ?? this.config.env.MAX_ACTIVE_JOBS_PER_USER,
      ),
      credits: this.accounts.summary(team),
      month: {
        periodStart: month.start.toISOString(),
        resetsAt: month.resetsAt.toISOString(),
        credits: facts.monthCredits,
      },
      memberCount: facts.memberCount,
    };
  }

  async rename(principal: Principal, teamId: string, name: string): Promise<TeamView> {
    await this.changeTeam(principal, teamId, async (before, tx) => {
      if (before.name === name) return;
      await this.teams.rename(teamId, name, tx);
      await this.audit.record(
        {
          action: 'team.renamed',
          target: { type: 'team', id: teamId },
          before: { name: before.name },
          after: { name },
          organizationId: before.organizationId,
        },
        tx,
      );
    });
    return this.view(principal, teamId);
  }

  /** Changes only the limits the request names; null lifts a limit. */
  async updateLimits(principal: Principal, teamId: string, body: UpdateTeamLimitsRequest): Promise<TeamView> {
    await this.changeTeam(principal, teamId, async (before, tx) => {
      const old: TeamLimits = {
        activeJobLimit: before.activeJobLimit,
        monthlyCreditQuota: before.monthlyCreditQuota,
        memberMonthlyCap: before.memberMonthlyCap,
      };
      const limits: TeamLimits = { ...old, ...body };
      await this.teams.setLimits(teamId, limits, tx);
      await this.audit.record(
        {
          action: 'team.limits-changed',
          target: { type: 'team', id: teamId },
          before: old,
          after: limits,
          organizationId: before.organizationId,
        },
        tx,
      );
    });
    return this.view(principal, teamId);
  }

  /** The team calls act for when they name none; only a team the caller is in. */
  async setDefault(principal: Principal, teamId: string): Promise<TeamSummary> {
    await this.accounts.ensureAccount(principal.userId, principal.email);
    await this.db.transaction(async (tx) => {
      const [team] = await this.teams.summaries(principal.userId, teamId, tx);
      if (!team) throw teamNotFound(teamId);
      const [previous] = (await this.teams.summaries(principal.userId, null, tx)).filter((t) => t.isDefault);
      await this.teams.setDefaultTeam(principal.userId, teamId, tx);
      await this.audit.record(
        {
          action: 'team.default-changed',
          target: { type: 'user', id: principal.userId },
          before: { teamId: previous?.id ?? null },
          after: { teamId },
          organizationId: team.organization?.id ?? null,
        },
        tx,
      );
    });
    return this.summary(principal.userId, teamId);
  }

  /**
   * Runs `change` with the team's row locked, after checking (again, under the lock) that the
   * caller is still an admin or owner of it: a role taken away a moment ago counts.
   */
  private async changeTeam(
    principal: Principal,
    teamId: string,
    change: (before: LockedTeam, tx: Sql) => Promise<void>,
  ): Promise<void> {
    const team = await this.access.require(principal, teamId, 'admin');
    await this.db.transaction(async (tx) => {
      const before = await this.teams.lock(teamId, tx);
      if (!before) throw teamNotFound(teamId);
      requireTeamRole(team, await this.members.roleOf(teamId, principal.userId, tx), 'admin');
      await change(before, tx);
    });
  }
}
