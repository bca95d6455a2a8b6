import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { MAINTENANCE_JOB_NAMES } from '@cineweave/contracts';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Database } from '../../core/database/database.ts';
import { returningRows } from '../../core/database/returning.ts';
import { MetricsService } from '../../core/metrics/metrics.service.ts';
import { Scheduler } from '../../core/scheduling/scheduler.ts';
import { LedgerRepository } from '../credits/ledger.repository.ts';
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
    @InjectDataSource() private readonly db: DataSource,
    private readonly database: Database,
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
      const rows = returningRows<{ id: string; plan_id: string }>(
        await tx.query(
          `UPDATE accounts a SET plan_id = 'free', plan_paid_until = NULL, updated_at = now()
             FROM accounts old WHERE old.id = a.id
              AND a.plan_paid_until IS NOT NULL AND a.plan_paid_until <= $1 RETURNING a.id, old.plan_id`,
          [now],
        ),
      );
      for (const row of rows) {
        await this.audit.record(
          {
            action: 'plan.changed',
            target: { type: 'account', id: row.id },
            before: { plan: row.plan_id },
            after: { plan: 'free', why: 'the paid month ended' },
            actor: { type: 'system', id: 'system:monthly-grants' },
          },
          tx,
        );
      }
      return rows.length;
    });
    const period = periodOf(now);
    const due: { id: string }[] = await this.db.query(
      `SELECT a.id FROM accounts a JOIN plans p ON p.id = a.plan_id
        WHERE p.monthly_credits > 0 AND a.plan_paid_until IS NULL
          AND a.created_at < date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
          AND NOT EXISTS (SELECT 1 FROM credit_ledger l WHERE l.kind = 'grant' AND l.reference = 'monthly:' || a.id || ':' || $2)`,
      [now, period],
    );
    let granted = 0;
    for (const { id } of due) granted += await this.grant(id, period);
    if (granted > 0) this.metrics.creditsGranted.inc(granted);
    if (lapsed > 0 || granted > 0) this.logger.log({ period, lapsed, granted }, 'Granted monthly credits');
    return { lapsed, granted };
  }

  private async grant(accountId: string, period: string): Promise<number> {
    const reference = monthlyGrantReference(accountId, period);
    try {
      return await this.database.transaction(async (tx) => {
        const [account]: { plan_id: string; monthly_credits: number; plan_paid_until: Date | null }[] =
          await tx.query(
            `SELECT a.plan_id, p.monthly_credits, a.plan_paid_until
               FROM accounts a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1 FOR UPDATE OF a`,
            [accountId],
          );
        const done: unknown[] = await tx.query(
          `SELECT 1 FROM credit_ledger WHERE kind = 'grant' AND reference = $1`,
          [reference],
        );
        if (!account || account.plan_paid_until || account.monthly_credits <= 0 || done.length > 0) return 0;
        await this.ledger.record(
          [
            {
              accountId,
              kind: 'grant',
              amount: account.monthly_credits,
              reference,
              reason: `The ${account.plan_id} plan's credits for ${period}`,
              actor: 'system',
            },
          ],
          tx,
        );
        return account.monthly_credits;
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return 0;
      throw error;
    }
  }
}
