import { JOB_STATUSES, type JobView, JobPageSchema } from '@cineweave/contracts';
import { Option, type Command } from 'commander';
import { pageSize } from '../core/arguments.ts';
import type { CliCommand } from '../core/command.ts';
import { jobTable } from '../core/job-text.ts';

interface LsOptions {
  status?: string;
  limit: number;
  cursor?: string;
  all?: boolean;
}

export const lsCommand: CliCommand<LsOptions> = {
  name: 'ls',
  define: (command: Command) =>
    command
      .description('List your jobs, newest first.')
      .addOption(new Option('--status <status>', 'only jobs with this status').choices(JOB_STATUSES))
      .option('--limit <n>', 'jobs per page, 1-100', pageSize, 20)
      .option('--cursor <cursor>', 'the page after this cursor (printed under the previous page)')
      .addOption(new Option('--all', 'every page, not just the first').conflicts('cursor')),

  async run(context, _args, options) {
    const query = {
      status: options.status,
      limit: options.all ? 100 : options.limit,
      cursor: options.cursor,
    };
    const items: unknown[] = [];
    const jobs: JobView[] = [];
    let nextCursor: string | null;
    do {
      const { data, body } = await context.client.get('/v1/jobs', JobPageSchema, { query });
      items.push(...(body as { items: unknown[] }).items);
      jobs.push(...data.items);
      nextCursor = data.nextCursor;
      query.cursor = nextCursor ?? undefined;
    } while (options.all && nextCursor);

    context.output.result({ items, nextCursor }, () => {
      if (jobs.length === 0)
        return options.status
          ? `No ${options.status} jobs.`
          : 'No jobs yet: `cineweave create "<prompt>"` makes one.';
      const more = nextCursor
        ? `\nMore: cineweave ls --cursor ${nextCursor}${options.status ? ` --status ${options.status}` : ''} (or --all)`
        : '';
      return jobTable(context.output, jobs) + more;
    });
  },
};
