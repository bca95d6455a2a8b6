import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CliError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

/**
 * `config.json`: the API used when none is named, and one key per API, so that a key given for
 * one server is never sent to another.
 */
const StoredConfigSchema = z.object({
  apiUrl: z.string().optional(),
  hosts: z.record(z.string(), z.object({ apiKey: z.string().min(1) })).default({}),
});
export type StoredConfig = z.output<typeof StoredConfigSchema>;

/** `$XDG_CONFIG_HOME/cineweave/config.json`, else `~/.config/cineweave/config.json`. */
export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'cineweave', 'config.json');
}

export async function readConfig(file: string): Promise<StoredConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { hosts: {} };
    throw new CliError(
      ExitCode.Usage,
      'Cannot read the configuration',
      `${file}: ${(error as Error).message}`,
    );
  }
  let parsed;
  try {
    parsed = StoredConfigSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = null;
  }
  if (!parsed?.success) {
    throw new CliError(
      ExitCode.Usage,
      'The configuration file is damaged',
      `${file} is not what cineweave wrote.`,
      {
        hint: `Delete it (rm '${file}') and run \`cineweave login\` again.`,
      },
    );
  }
  return parsed.data;
}

/**
 * Writes the file as its owner's alone (0600, in a 0700 directory) whatever the umask: it holds
 * API keys. A new file is written beside it and renamed over it, so a crash never leaves half.
 */
export async function writeConfig(file: string, config: StoredConfig): Promise<void> {
  const directory = dirname(file);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const temporary = join(directory, `.config.json.${randomBytes(6).toString('hex')}`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${JSON.stringify(config, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await chmod(file, 0o600);
}

/** The same API written in different ways (trailing slash, upper-case host) is one entry. */
export function normalizeApiUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}
