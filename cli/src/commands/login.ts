import type { Command } from 'commander';
import { read } from 'read';
import { ApiClient } from '../core/api-client.ts';
import { MeSchema } from '@cineweave/contracts';
import { CliError, interrupted, usageError } from '../core/cli-error.ts';
import type { CliCommand, CommandContext } from '../core/command.ts';
import { readConfig, writeConfig } from '../core/config-store.ts';
import { ExitCode } from '../core/exit-codes.ts';

interface LoginOptions {
  withKey?: boolean;
}

export const loginCommand: CliCommand<LoginOptions> = {
  name: 'login',
  define: (command: Command) =>
    command
      .description(
        'Check an API key against the API and store it for later commands (in $XDG_CONFIG_HOME/cineweave, readable by you alone).',
      )
      .option('--with-key', 'read the key from stdin (e.g. `cineweave login --with-key < key.txt`)')
      .addHelpText(
        'after',
        '\nThe key comes from stdin with --with-key, else from CINEWEAVE_API_KEY, else a prompt that does not echo.\nCreate keys in the portal under Account → API keys.',
      ),

  async run(context, _args, options) {
    const key = checkKey(await keyFrom(context, options));
    const { settings } = context;
    const client = new ApiClient({ ...settings, apiKey: key, keySource: null }, context.client.interrupt);
    let me;
    try {
      me = await client.get('/v1/me', MeSchema);
    } catch (error) {
      if (error instanceof CliError && error.exitCode === ExitCode.Auth) {
        throw new CliError(
          ExitCode.Auth,
          error.title,
          `${settings.apiUrl} refused this key: ${error.detail}`,
          {
            ...error.extra,
            hint: 'Check that the key was copied whole and has not been revoked (portal: Account → API keys), and that --api-url is the API it belongs to.',
          },
        );
      }
      throw error;
    }
    const stored = await readConfig(settings.configFile);
    await writeConfig(settings.configFile, {
      apiUrl: settings.apiUrl,
      hosts: { ...stored.hosts, [settings.apiUrl]: { apiKey: key } },
    });
    context.output.result({ apiUrl: settings.apiUrl, configFile: settings.configFile, me: me.body }, () => {
      const credits = me.data.credits
        ? ` · ${me.data.credits.available} credits available (plan ${me.data.credits.plan})`
        : '';
      return [
        `Logged in to ${settings.apiUrl} as ${me.data.user.id}${credits}.`,
        `The key is stored in ${settings.configFile}.`,
      ].join('\n');
    });
  },
};

async function keyFrom(context: CommandContext, options: LoginOptions): Promise<string> {
  if (options.withKey) return readAll(context.stdin);
  const fromEnv = context.env.CINEWEAVE_API_KEY?.trim();
  if (fromEnv) return fromEnv;
  if (!context.stdin.isTTY) {
    throw usageError(
      'No API key given.',
      'Pipe it in with `cineweave login --with-key`, or set CINEWEAVE_API_KEY.',
    );
  }
  try {
    return await read({
      prompt: 'API key (from the portal, Account → API keys): ',
      silent: true,
      replace: '*',
      output: context.output.stderr,
    });
  } catch {
    throw interrupted();
  }
}

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.length > 4096) throw usageError('That is not an API key: stdin holds more than 4 KB.');
  }
  return text;
}

function checkKey(raw: string): string {
  const key = raw.trim();
  if (!key) throw usageError('The API key is empty.');
  if (/\s/.test(key))
    throw usageError('An API key is one word without spaces; was more than the key copied?');
  return key;
}
