import { type Env, EnvSchema } from './config.schema.ts';

/** The validated configuration, injected wherever a setting is read. */
export class AppConfig {
  constructor(readonly env: Env) {}

  get isDevAuth(): boolean {
    return this.env.AUTH_MODE === 'dev';
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The API cannot start; fix these environment variables:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment, listing every problem at once. Messages name the variable and what is
 * wrong with it, never its value: some of them are secrets.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const empty = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = EnvSchema.safeParse(empty);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map(
        (issue) => `${issue.path.map(String).join('.') || '(environment)'}: ${issue.message}`,
      ),
    );
  }
  return new AppConfig(result.data);
}
