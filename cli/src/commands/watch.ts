import { JobViewSchema } from '@cineweave/contracts';
import type { Command } from 'commander';
import { jobId } from '../core/arguments.ts';
import type { CliCommand } from '../core/command.ts';
import { finishWaiting } from '../core/wait.ts';

interface WatchOptions {
  output?: string;
}

export const watchCommand: CliCommand<WatchOptions> = {
  name: 'watch',
  define: (command: Command) =>
    command
      .description(
        "Follow a job's progress until it ends (with --json: each event of the stream as one JSON line).",
      )
      .argument('<job-id>', 'the job', jobId)
      .option('-o, --output <file>', 'save the MP4 there if it succeeds ("-" for stdout)'),

  async run(context, [id], options) {
    const { data: job } = await context.client.get(`/v1/jobs/${id}`, JobViewSchema);
    return finishWaiting(context, job, { outputFile: options.output, events: context.output.json });
  },
};
