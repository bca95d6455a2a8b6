import { JobViewSchema, type JobView } from '@cineweave/contracts';
import { CliError, usageError } from './cli-error.ts';
import type { CommandContext } from './command.ts';
import { downloadOutput, type Downloaded } from './download.ts';
import { ExitCode } from './exit-codes.ts';
import { followJob, type FinalJobEvent, type JobEvent } from './job-events.ts';
import { describeOutcome } from './job-text.ts';
import { applyEvent, initialState, progressView } from './progress.ts';

export interface WaitResult {
  final: FinalJobEvent;
  /** The job as the API shows it once finished: what `--json` prints. */
  job: { data: JobView; body: unknown };
}

/**
 * Follows a job to its end with a live view of its progress (a bar on a terminal, plain lines
 * elsewhere, nothing under --json). `onEvent` sees every event too (`watch --json` prints them).
 */
export async function waitForJob(
  context: CommandContext,
  job: JobView,
  onEvent: (event: JobEvent) => void = () => undefined,
): Promise<WaitResult> {
  const view = progressView(context.output);
  let state = initialState(job);
  view.show(state);
  let final: FinalJobEvent;
  try {
    final = await followJob(
      context.client,
      job.id,
      (event) => {
        state = applyEvent(state, event);
        view.show(state);
        onEvent(event);
      },
      {
        onReconnect: (reason, delayMs) => {
          state = { ...state, notice: `reconnecting in ${Math.ceil(delayMs / 1000)} s (${reason})` };
          view.show(state);
        },
      },
    );
  } catch (error) {
    if (error instanceof CliError && error.exitCode === ExitCode.Interrupted) {
      throw new CliError(ExitCode.Interrupted, 'Stopped waiting', `Job ${job.id} keeps going without you.`, {
        hint: `Follow it again with \`cineweave watch ${job.id}\`, or stop it with \`cineweave cancel ${job.id}\`.`,
      });
    }
    throw error;
  } finally {
    view.stop();
  }
  const { data, body } = await context.client.get(`/v1/jobs/${job.id}`, JobViewSchema);
  return { final, job: { data, body } };
}

/**
 * The end of `create --wait` and `watch`: waits, saves the video when asked, says how it ended.
 * Exit code 0 when the job succeeded, 1 when it failed, was cancelled or expired.
 * `events` (watch --json) prints every event as a JSON line instead of the finished job.
 */
export async function finishWaiting(
  context: CommandContext,
  job: JobView,
  options: { outputFile?: string; events?: boolean } = {},
): Promise<ExitCode> {
  const { output } = context;
  if (options.outputFile === '-' && output.json) {
    throw usageError('-o - writes the video to stdout, where --json writes JSON: choose one.');
  }
  const { final, job: finished } = await waitForJob(
    context,
    job,
    options.events ? (event) => output.line({ event: event.type, data: event.data }) : undefined,
  );
  const succeeded = final.type === 'completed';
  let saved: Downloaded | null = null;
  if (succeeded && options.outputFile !== undefined) {
    saved = await downloadOutput(context.client, job.id, 'video', options.outputFile, output.stdout);
  }
  const text = [
    describeOutcome(finished.data, final),
    ...(saved?.file ? [`Saved the video to ${saved.file} (${formatBytes(saved.bytes)}).`] : []),
  ].join('\n');
  if (options.events) {
    // The events said it all on stdout.
  } else if (saved && saved.file === null) {
    output.note(text);
  } else if (succeeded) {
    output.result(finished.body, () => text);
  } else {
    output.result(finished.body, () => output.paint('red', text));
  }
  return succeeded ? ExitCode.Ok : ExitCode.JobUnsuccessful;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
