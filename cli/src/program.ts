import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { ApiClient } from './core/api-client.ts';
import { CliError, interrupted } from './core/cli-error.ts';
import type { CliCommand, CommandEntry } from './core/command.ts';
import { ExitCode } from './core/exit-codes.ts';
import { Output } from './core/output.ts';
import { resolveSettings } from './core/settings.ts';

export const VERSION = '0.1.0';

/** The process's surroundings, so tests (and the launcher) can hand in their own. */
export interface Io {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Aborted on Ctrl-C. */
  interrupt: AbortSignal;
}

interface GlobalOptions {
  apiUrl?: string;
  json?: boolean;
}

const HELP_FOOTER = `
Environment:
  CINEWEAVE_API_URL   the API (default: the last \`login\`, else http://127.0.0.1:3000)
  CINEWEAVE_API_KEY   an API key, used instead of the stored one
  NO_COLOR            no colours and no progress bar

Exit codes:
  0 ok · 1 job failed, cancelled or expired (when waiting) · 2 invalid command line or request
  3 not logged in or key refused · 4 job not found or output gone · 5 credits or limits
  6 API unreachable or unavailable · 7 other API error · 130 interrupted`;

/** Runs one command line; resolves with the exit code. */
export async function run(
  argv: readonly string[],
  io: Io,
  commands: readonly CommandEntry[] = COMMANDS,
): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = new Command('cineweave')
    .description('Create, follow and download CineWeave videos.')
    .version(VERSION)
    .option('--api-url <url>', 'the CineWeave API')
    .option('--json', 'print the API objects as JSON, for scripts')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(`cineweave <command> --help` shows its options)')
    .exitOverride()
    .addHelpText('after', HELP_FOOTER);

  const action =
    (entry: CliCommand<never>) =>
    async (...received: unknown[]) => {
      const command = received.at(-1) as Command;
      const globals = command.optsWithGlobals<GlobalOptions>();
      const output = new Output(Boolean(globals.json), io.stdout, io.stderr, io.env);
      try {
        const settings = await resolveSettings({ apiUrl: globals.apiUrl }, io.env);
        const context = {
          output,
          settings,
          client: new ApiClient(settings, io.interrupt),
          env: io.env,
          stdin: io.stdin,
        };
        exitCode =
          (await entry.run(context, command.processedArgs as string[], command.opts() as never)) ??
          ExitCode.Ok;
      } catch (error) {
        const failure = asCliError(error, io.interrupt);
        output.error(failure);
        exitCode = failure.exitCode;
      }
    };

  for (const entry of commands) {
    if ('subcommands' in entry) {
      const group = program.command(entry.name).description(entry.description);
      for (const sub of entry.subcommands) sub.define(group.command(sub.name)).action(action(sub));
    } else {
      entry.define(program.command(entry.name)).action(action(entry));
    }
  }

  try {
    await program.parseAsync(argv, { from: 'node' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Help and version end "with an error" in commander's terms; anything else is a usage error.
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
      ? ExitCode.Ok
      : ExitCode.Usage;
  }
  return exitCode;
}

function asCliError(error: unknown, interrupt: AbortSignal): CliError {
  if (error instanceof CliError) return error;
  if (interrupt.aborted) return interrupted();
  // A bug of ours: say so plainly, with what is known.
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return new CliError(ExitCode.ApiError, 'Unexpected failure', message, {
    hint: 'This is a bug in the cineweave CLI; please report it with the command you ran.',
  });
}
