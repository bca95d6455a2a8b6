import type { Command } from 'commander';
import type { ApiClient } from './api-client.ts';
import type { ExitCode } from './exit-codes.ts';
import type { Output } from './output.ts';
import type { Settings } from './settings.ts';

/** What every command runs with, built from the global options once the line is parsed. */
export interface CommandContext {
  output: Output;
  settings: Settings;
  client: ApiClient;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
}

/**
 * One `cineweave <name>` command: one file under commands/, listed once in commands/index.ts.
 * `define` declares its arguments and options on commander's Command; `run` gets the parsed
 * arguments and options and returns the exit code (or throws a CliError, which is printed and
 * exits with its code).
 */
export interface CliCommand<Options = Record<string, unknown>> {
  name: string;
  define(command: Command): Command;
  run(context: CommandContext, args: string[], options: Options): Promise<ExitCode | void>;
}

/**
 * A command made of subcommands (`cineweave webhooks add|list|test|rotate`): one file, whose
 * subcommands are CliCommands of their own.
 */
export interface CliCommandGroup {
  name: string;
  description: string;
  subcommands: readonly CliCommand<never>[];
}

export type CommandEntry = CliCommand<never> | CliCommandGroup;
