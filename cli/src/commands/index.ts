import type { CommandEntry } from '../core/command.ts';
import { cancelCommand } from './cancel.ts';
import { createCommand } from './create.ts';
import { creditsCommand } from './credits.ts';
import { downloadCommand } from './download.ts';
import { loginCommand } from './login.ts';
import { logoutCommand } from './logout.ts';
import { lsCommand } from './ls.ts';
import { modelsCommand } from './models.ts';
import { quoteCommand } from './quote.ts';
import { statusCommand } from './status.ts';
import { watchCommand } from './watch.ts';
import { webhooksCommand } from './webhooks.ts';

/**
 * Every command, in the order `cineweave --help` lists them. A new command is one file here and
 * one line below.
 */
export const COMMANDS: readonly CommandEntry[] = [
  createCommand,
  watchCommand,
  statusCommand,
  lsCommand,
  cancelCommand,
  downloadCommand,
  quoteCommand,
  modelsCommand,
  creditsCommand,
  webhooksCommand,
  loginCommand,
  logoutCommand,
];
