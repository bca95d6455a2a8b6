import { JobViewSchema } from '@cineweave/contracts';
import type { Command } from 'commander';
import { jobId } from '../core/arguments.ts';
import type { CliCommand } from '../core/command.ts';

export const cancelCommand: CliCommand = {
  name: 'cancel',
  define: (command: Command) =>
    command
      .description('Cancel a queued or running job; its reserved credits are released.')
      .argument('<job-id>', 'the job', jobId),

  async run(context, [id]) {
    const { data: job, body } = await context.client.post(`/v1/jobs/${id}/cancel`, JobViewSchema);
    context.output.result(body, () =>
      job.status === 'cancelled'
        ? `Cancelled job ${job.id}; ${job.creditsReserved} credits released.`
        : // A running job stops at its next step, when the worker answers the signal.
          `Asked job ${job.id} to stop; its worker stops it within a step and releases its credits.\nSee it end with: cineweave watch ${job.id}`,
    );
  },
};
