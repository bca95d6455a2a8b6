import { Injectable } from '@nestjs/common';
import { type CreditsSummary, TEAM_HEADER } from '@cineweave/contracts';
import { z } from 'zod';
import { Database } from '../../core/database/database.ts';
import { AppConfig } from '../../core/config/app-config.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { MetricsService } from '../../core/metrics/metrics.service.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { AuditService } from '../audit/audit.service.ts';
import { LedgerRepository } from '../ledger/ledger.repository.ts';
import { type Account, AccountsRepository, type CallerTeam } from './accounts.repository.ts';
import { requireKeyTeam, teamNotFound } from './team-access.ts';

export type { Account, CallerTeam } from './accounts.repository.ts';

const TeamIdSchema = z.uuid();

@Injectable()
export class AccountsService {
  constructor(
    private readonly db: Database,
    private readonly repository: AccountsRepository,
    private readonly ledger: LedgerRepository,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /**
   * Creates the user and an account on the free plan with its grant, once: calling it again (or
   * twice at the same moment) changes nothing.
   */
  async ensureAccount(userId: string, email?: string): Promise<{ account: Account; created: boolean }> {
    const existing = await this.findByUser(userId);
    if (existing) return { account: existing, created: false };
    let granted = 0;
    const created = await this.db.transaction(async (tx) => {
      const account = await this.repository.createOnFreePlan(userId, email ?? null, tx);
      if (!account) return false;
      const { id, monthlyCredits } = account;
      if (monthlyCredits > 0) {
        await this.ledger.record(
          [
            {
              accountId: id,
              kind: 'grant',
              amount: monthlyCredits,
              reference: `signup:${id}`,
              reason: 'Free plan credits on sign-up',
              actor: 'system',
            },
          ],
          tx,
        );
        granted = monthlyCredits;
      }
      return true;
    });
    if (granted > 0) this.metrics.creditsGranted.inc(granted);
    const account = await this.findByUser(userId);
    if (!account) throw new Error(`Account of ${userId} vanished right after creation`);
    return { account, created };
  }

  findByUser(userId: string): Promise<Account | null> {
    return this.repository.findByUser(userId);
  }

  /**
   * The team the caller acts for: `named` (the team header) when given, else the API key's team,
   * else their default team. A first call creates their user and personal team so that a fresh
   * sign-in can act at once. A team they are not in is a 404, as if it did not exist.
   */
  async forPrincipal(principal: Principal, named: string | null = null): Promise<CallerTeam> {
    if (named !== null && !TeamIdSchema.safeParse(named).success) {
      throw new DomainError('VALIDATION_FAILED', `The ${TEAM_HEADER} header must be a team id (a UUID).`, [
        { field: TEAM_HEADER, message: 'must be a UUID' },
      ]);
    }
    if (named !== null) requireKeyTeam(principal, named);
    const teamId = named ?? principal.teamId ?? null;
    const found = await this.repository.forMember(principal.userId, teamId);
    if (found) return found;
    if (teamId === null) {
      await this.ensureAccount(principal.userId, principal.email);
      const personal = await this.repository.forMember(principal.userId, null);
      if (personal) return personal;
    }
    throw teamNotFound(String(teamId));
  }

  async requireByUser(userId: string): Promise<Account> {
    const account = await this.findByUser(userId);
    if (!account)
      throw new DomainError(
        'NOT_FOUND',
        `No account belongs to user ${userId}; they must sign in once first.`,
      );
    return account;
  }

  summary(account: Account): CreditsSummary {
    return {
      balance: account.balance,
      reserved: account.reserved,
      available: account.balance - account.reserved,
      plan: account.planId,
    };
  }

  /** Admin grant to a person's personal team (the route from before teams): see `grantToTeam`. */
  async grant(userId: string, amount: number, reason: string, actor: string): Promise<CreditsSummary> {
    const target = await this.requireByUser(userId);
    return this.grantToTeam(target.id, amount, reason, actor, { userId });
  }

  /**
   * Admin grant to a team: a positive amount credits, a negative one is an `adjust` that cannot
   * overdraw. `context` is added to the audit row (the user a by-user grant named).
   */
  async grantToTeam(
    teamId: string,
    amount: number,
    reason: string,
    actor: string,
    context: Record<string, unknown> = {},
  ): Promise<CreditsSummary> {
    const target = await this.repository.findById(teamId);
    if (!target) throw new DomainError('NOT_FOUND', `Team ${teamId} was not found.`);
    try {
      await this.db.transaction(async (tx) => {
        const locked = await this.repository.lockBalance(target.id, tx);
        await this.audit.record(
          {
            action: amount >= 0 ? 'credits.granted' : 'credits.adjusted',
            target: { type: 'account', id: target.id },
            before: { ...context, balance: locked.balance },
            after: { ...context, balance: locked.balance + amount, amount, reason },
            organizationId: target.organizationId,
          },
          tx,
        );
        await this.ledger.record(
          [{ accountId: target.id, kind: amount >= 0 ? 'grant' : 'adjust', amount, reason, actor }],
          tx,
        );
      });
    } catch (error) {
      if ((error as { constraint?: string }).constraint === 'accounts_available_not_negative') {
        throw new DomainError(
          'UNPROCESSABLE',
          `Removing ${-amount} credits would leave the account below what its running jobs hold.`,
        );
      }
      throw error;
    }
    if (amount > 0) this.metrics.creditsGranted.inc(amount);
    const after = await this.repository.findById(teamId);
    return this.summary(after ?? target);
  }

  activeJobLimit(planLimit: number | null): number {
    return planLimit ?? this.config.env.MAX_ACTIVE_JOBS_PER_USER;
  }
}
