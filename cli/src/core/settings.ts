import { CliError, usageError } from './cli-error.ts';
import { configFile, normalizeApiUrl, readConfig } from './config-store.ts';
import { ExitCode } from './exit-codes.ts';

/** Where the local stack (`npm run up`) serves the API. */
export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

export interface Settings {
  apiUrl: string;
  /** Null until `cineweave login` or CINEWEAVE_API_KEY provides one for this API. */
  apiKey: string | null;
  keySource: 'environment' | 'config' | null;
  configFile: string;
}

/**
 * The API comes from `--api-url`, then CINEWEAVE_API_URL, then the last `login`, then the local
 * stack. The key comes from CINEWEAVE_API_KEY, then the one stored for that very API.
 */
export async function resolveSettings(
  flags: { apiUrl?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Settings> {
  const file = configFile(env);
  const stored = await readConfig(file);
  const apiUrl = checkApiUrl(flags.apiUrl ?? env.CINEWEAVE_API_URL ?? stored.apiUrl ?? DEFAULT_API_URL);
  const fromEnv = env.CINEWEAVE_API_KEY?.trim();
  if (fromEnv) return { apiUrl, apiKey: fromEnv, keySource: 'environment', configFile: file };
  const fromFile = stored.hosts[apiUrl]?.apiKey ?? null;
  return { apiUrl, apiKey: fromFile, keySource: fromFile ? 'config' : null, configFile: file };
}

function checkApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`The API URL "${value}" is not a URL.`, 'Give one like https://video.example.com.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`The API URL "${value}" must start with http:// or https://.`);
  }
  if (url.username || url.password) {
    throw usageError(
      'The API URL must not carry a user name or password; use `cineweave login` for the key.',
    );
  }
  return normalizeApiUrl(value);
}

export function requireKey(settings: Settings): string {
  if (settings.apiKey) return settings.apiKey;
  throw new CliError(ExitCode.Auth, 'Not logged in', `No API key for ${settings.apiUrl}.`, {
    hint: 'Create an API key in the portal (Account → API keys), then run `cineweave login` (or set CINEWEAVE_API_KEY).',
  });
}
