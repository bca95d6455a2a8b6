import type { CommandEntry } from '../core/command.ts';
import { cancelCommand } from './cancel.ts';
import { createCommand } from './create.ts';
import { creditsCommand } from './credits.ts';
import { downloadCommand } from './download.ts';
import { loginCommand } from './login.ts';
import { logoutCommand } from './logout.ts';
import { lsCommand } from './ls.ts';
import { quoteCommand } from './quote.ts';
import { statusCommand } from './status.ts';
import { watchCommand } from './watch.ts';

/**
 * Every command, in the order `cineweave --help` lists them. A new command is one file here and
 * one line below. Waiting for the API:
 * - `models` (list the catalogue) once `GET /v1/models` exists (issue 17);
 * - `webhooks` (add, list, test, rotate) once `/v1/webhooks` exists (issue 20): one file
 *   exporting a CliCommandGroup of four subcommands.
 */
export const COMMANDS: readonly CommandEntry[] = [
  createCommand,
  watchCommand,
  statusCommand,
  lsCommand,
  cancelCommand,
  downloadCommand,
  quoteCommand,
  creditsCommand,
  loginCommand,
  logoutCommand,
];
