import type { Command } from 'commander';
import { jobId } from '../core/arguments.ts';
import type { CliCommand } from '../core/command.ts';
import { downloadOutput } from '../core/download.ts';
import { usageError } from '../core/cli-error.ts';
import { formatBytes } from '../core/wait.ts';

interface DownloadOptions {
  output?: string;
  thumbnail?: boolean;
}

export const downloadCommand: CliCommand<DownloadOptions> = {
  name: 'download',
  define: (command: Command) =>
    command
      .description("Save a finished job's video (or its thumbnail).")
      .argument('<job-id>', 'the job', jobId)
      .option(
        '-o, --output <file>',
        'where to save it: a file, a directory, or "-" for stdout (default: cineweave-<id>.mp4 here)',
      )
      .option('--thumbnail', 'the thumbnail image instead of the video'),

  async run(context, [id], options) {
    if (options.output === '-' && context.output.json) {
      throw usageError('-o - writes the file to stdout, where --json writes JSON: choose one.');
    }
    const saved = await downloadOutput(
      context.client,
      id,
      options.thumbnail ? 'thumbnail' : 'video',
      options.output,
      context.output.stdout,
    );
    const text = `Saved the ${saved.kind} of job ${id} to ${saved.file ?? 'stdout'} (${formatBytes(saved.bytes)}).`;
    if (saved.file === null) context.output.note(text);
    else context.output.result(saved, () => text);
  },
};
