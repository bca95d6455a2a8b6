import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { MAINTENANCE_JOB_NAMES } from '@cineweave/contracts';
import { Database } from '../../core/database/database.ts';
import { MetricsService } from '../../core/metrics/metrics.service.ts';
import { Scheduler } from '../../core/scheduling/scheduler.ts';
import { AccountsRepository } from '../accounts/accounts.repository.ts';
import { LedgerRepository } from '../ledger/ledger.repository.ts';
import { AuditService } from '../audit/audit.service.ts';

/** Hourly: a new month's grants arrive within the hour, and a failed run is retried as soon. */
const INTERVAL_MS = 60 * 60_000;
const UNIQUE_VIOLATION = '23505';

/** `2026-11`: the calendar month (UTC) a grant belongs to. */
export function periodOf(now: Date): string {
  return now.toISOString().slice(0, 7);
}

export const monthlyGrantReference = (accountId: string, period: string) => `monthly:${accountId}:${period}`;

/**
 * Gives every account its plan's monthly credits once per calendar month: the ledger reference
 * `monthly:{account}:{period}` is unique, and each grant re-checks it under the account's row
 * lock, so overlapping runs (two replicas, a restart) grant once. Skipped: the month an account
 * was created in (its sign-up grant covers it) and plans bought online (the payment brought the
 * month's credits). A bought plan whose month ran out falls back to free first.
 */
@Injectable()
export class MonthlyGrantsService implements OnModuleInit {
  private readonly logger = new Logger(MonthlyGrantsService.name);

  constructor(
    private readonly db: Database,
    private readonly accounts: AccountsRepository,
    private readonly ledger: LedgerRepository,
    private readonly metrics: MetricsService,
    private readonly audit: AuditService,
    private readonly scheduler: Scheduler,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({
      name: MAINTENANCE_JOB_NAMES.monthlyGrants,
      every: INTERVAL_MS,
      run: () => this.run(),
    });
  }

  async run(now: Date = new Date()): Promise<{ lapsed: number; granted: number }> {
    const lapsed = await this.db.transaction(async (tx) => {
      const lapsedPlans = await this.accounts.lapsePaidPlans(now, tx);
      for (const row of lapsedPlans) {
        await this.audit.record(
          {
            action: 'plan.changed',
            target: { type: 'account', id: row.accountId },
            before: { plan: row.planId },
            after: { plan: 'free', why: 'the paid month ended' },
            actor: { type: 'system', id: 'system:monthly-grants' },
          },
          tx,
        );
      }
      return lapsedPlans.length;
    });
    const period = periodOf(now);
    const due = await this.accounts.dueForMonthlyGrant(now, period);
    let granted = 0;
    for (const id of due) granted += await this.grant(id, period);
    if (granted > 0) this.metrics.creditsGranted.inc(granted);
    if (lapsed > 0 || granted > 0) this.logger.log({ period, lapsed, granted }, 'Granted monthly credits');
    return { lapsed, granted };
  }

  private async grant(accountId: string, period: string): Promise<number> {
    const reference = monthlyGrantReference(accountId, period);
    try {
      return await this.db.transaction(async (tx) => {
        const account = await this.accounts.lockPlan(accountId, tx);
        if (!account || account.planPaidUntil || account.monthlyCredits <= 0) return 0;
        if (await this.ledger.hasReference('grant', reference, tx)) return 0;
        await this.ledger.record(
          [
            {
              accountId,
              kind: 'grant',
              amount: account.monthlyCredits,
              reference,
              reason: `The ${account.planId} plan's credits for ${period}`,
              actor: 'system',
            },
          ],
          tx,
        );
        return account.monthlyCredits;
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return 0;
      throw error;
    }
  }
}
