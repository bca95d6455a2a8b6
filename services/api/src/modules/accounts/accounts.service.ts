import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CreditsSummary, PlanId } from '@cineweave/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { Database } from '../../core/database/database.ts';
import { AppConfig } from '../../core/config/app-config.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { MetricsService } from '../../core/metrics/metrics.service.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { AuditService } from '../audit/audit.service.ts';
import { LedgerRepository } from '../credits/ledger.repository.ts';

export interface Account {
  id: string;
  userId: string;
  planId: PlanId;
  balance: number;
  reserved: number;
  activeJobs: number;
  createdAt: string;
}

interface AccountRow {
  id: string;
  user_id: string;
  plan_id: PlanId;
  balance: number;
  reserved: number;
  active_jobs: number;
  created_at: Date;
}

export function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    userId: row.user_id,
    planId: row.plan_id,
    balance: row.balance,
    reserved: row.reserved,
    activeJobs: row.active_jobs,
    createdAt: row.created_at.toISOString(),
  };
}

@Injectable()
export class AccountsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly database: Database,
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
    const created = await this.database.transaction(async (tx) => {
      await tx.query(`INSERT INTO users (id, email) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [
        userId,
        email ?? null,
      ]);
      const rows: { id: string; monthly_credits: number }[] = await tx.query(
        `INSERT INTO accounts (user_id, plan_id) VALUES ($1, 'free')
         ON CONFLICT (user_id) DO NOTHING
         RETURNING id, (SELECT monthly_credits FROM plans WHERE id = 'free') AS monthly_credits`,
        [userId],
      );
      if (rows.length === 0) return false;
      const [{ id, monthly_credits }] = rows;
      if (monthly_credits > 0) {
        await this.ledger.record(
          [
            {
              accountId: id,
              kind: 'grant',
              amount: monthly_credits,
              reference: `signup:${id}`,
              reason: 'Free plan credits on sign-up',
              actor: 'system',
            },
          ],
          tx,
        );
        granted = monthly_credits;
      }
      return true;
    });
    if (granted > 0) this.metrics.creditsGranted.inc(granted);
    const account = await this.findByUser(userId);
    if (!account) throw new Error(`Account of ${userId} vanished right after creation`);
    return { account, created };
  }

  async findByUser(userId: string, db: DataSource | EntityManager = this.db): Promise<Account | null> {
    const rows: AccountRow[] = await db.query(`SELECT * FROM accounts WHERE user_id = $1`, [userId]);
    return rows.length > 0 ? toAccount(rows[0]) : null;
  }

  /** The caller's account, created on first use so that a fresh sign-in can act at once. */
  async forPrincipal(principal: Principal): Promise<Account> {
    return (await this.ensureAccount(principal.userId, principal.email)).account;
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

  /** Admin grant: a positive amount credits, a negative one is an `adjust` that cannot overdraw. */
  async grant(userId: string, amount: number, reason: string, actor: string): Promise<CreditsSummary> {
    const target = await this.requireByUser(userId);
    try {
      await this.database.transaction(async (tx) => {
        const [locked] = (await tx.query(`SELECT balance, reserved FROM accounts WHERE id = $1 FOR UPDATE`, [
          target.id,
        ])) as { balance: number; reserved: number }[];
        await this.audit.record(
          {
            action: amount >= 0 ? 'credits.granted' : 'credits.adjusted',
            target: { type: 'account', id: target.id },
            before: { userId, balance: Number(locked.balance) },
            after: { userId, balance: Number(locked.balance) + amount, amount, reason },
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
    return this.summary(await this.requireByUser(userId));
  }

  activeJobLimit(planLimit: number | null): number {
    return planLimit ?? this.config.env.MAX_ACTIVE_JOBS_PER_USER;
  }
}
