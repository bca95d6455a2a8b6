import { CreditsSummarySchema, LedgerPageSchema, type LedgerItem } from '@cineweave/contracts';
import type { Command } from 'commander';
import { pageSize } from '../core/arguments.ts';
import type { CliCommand } from '../core/command.ts';

interface CreditsOptions {
  limit: number;
}

export const creditsCommand: CliCommand<CreditsOptions> = {
  name: 'credits',
  define: (command: Command) =>
    command
      .description('Show your credit balance and the latest movements of the ledger.')
      .option('--limit <n>', 'ledger entries to show, 1-100', pageSize, 10),

  async run(context, _args, options) {
    const [summary, ledger] = await Promise.all([
      context.client.get('/v1/credits', CreditsSummarySchema),
      context.client.get('/v1/credits/ledger', LedgerPageSchema, { query: { limit: options.limit } }),
    ]);
    context.output.result({ credits: summary.body, ledger: ledger.body }, () => {
      const { balance, reserved, available, plan } = summary.data;
      const lines = [
        `${available} credits available (balance ${balance}, ${reserved} reserved by running jobs) · plan ${plan}`,
      ];
      if (ledger.data.items.length > 0) {
        lines.push('', context.output.paint('dim', 'Recent activity:'));
        lines.push(...ledger.data.items.map(ledgerLine));
      }
      return lines.join('\n');
    });
  },
};

function ledgerLine(entry: LedgerItem): string {
  const when = entry.createdAt.slice(0, 19).replace('T', ' ');
  // Reserve and release rows move only the reservation; the others move the balance.
  const moved =
    entry.amount !== 0
      ? `${entry.amount > 0 ? '+' : ''}${entry.amount}`
      : `${entry.reservedDelta > 0 ? '+' : ''}${entry.reservedDelta} reserved`;
  const about = entry.jobId ? `job ${entry.jobId}` : (entry.reason ?? '');
  return `  ${when}  ${entry.kind.padEnd(8)} ${moved.padStart(14)}  ${about}`;
}
