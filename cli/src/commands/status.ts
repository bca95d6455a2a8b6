import { JobViewSchema } from '@cineweave/contracts';
import type { Command } from 'commander';
import { jobId } from '../core/arguments.ts';
import type { CliCommand } from '../core/command.ts';
import { describeJob } from '../core/job-text.ts';

export const statusCommand: CliCommand = {
  name: 'status',
  define: (command: Command) =>
    command
      .description('Show a job: its status, parameters, credits and output.')
      .argument('<job-id>', 'the job', jobId),

  async run(context, [id]) {
    const { data, body } = await context.client.get(`/v1/jobs/${id}`, JobViewSchema);
    context.output.result(body, () => describeJob(context.output, data));
  },
};
