import type { UsageReport, UsageRow } from '@cineweave/contracts';
import { stringify } from 'csv-stringify/sync';

/**
 * The CSV columns, named after the FinOps FOCUS specification where one fits (custom columns carry
 * FOCUS's `x_` prefix). Documented in README.md ("Usage export"); a test holds the two together.
 */
export const USAGE_CSV_COLUMNS = [
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'ServiceCategory',
  'ServiceName',
  'SubAccountId',
  'SubAccountName',
  'SkuId',
  'ConsumedQuantity',
  'ConsumedUnit',
  'BilledCost',
  'BillingCurrency',
  'x_UserId',
  'x_Jobs',
  'x_Credits',
] as const;

function csvRow(row: UsageRow): Record<(typeof USAGE_CSV_COLUMNS)[number], string | number> {
  const start = new Date(`${row.day}T00:00:00Z`);
  return {
    ChargePeriodStart: start.toISOString(),
    ChargePeriodEnd: new Date(start.getTime() + 86_400_000).toISOString(),
    ChargeCategory: 'Usage',
    ServiceCategory: 'AI and Machine Learning',
    ServiceName: 'CineWeave video generation',
    SubAccountId: row.accountId,
    // FOCUS's sub-account is the team charged; the person who ran the jobs is a column of its own.
    SubAccountName: row.teamName,
    SkuId: row.model,
    ConsumedQuantity: row.gpuSeconds,
    ConsumedUnit: 'GPU-Seconds',
    BilledCost: row.costUsd,
    BillingCurrency: 'USD',
    x_UserId: row.userId,
    x_Jobs: row.jobs,
    x_Credits: row.credits,
  };
}

/** The report as CSV: a header line, then one line per day, team, person and model (RFC 4180 quoting). */
export function usageCsv(report: UsageReport): string {
  return stringify(report.items.map(csvRow), { header: true, columns: [...USAGE_CSV_COLUMNS] });
}
