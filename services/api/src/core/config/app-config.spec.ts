import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config.ts';

const VALID = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/cw',
  REDIS_URL: 'redis://127.0.0.1:6379',
  S3_ENDPOINT: 'http://127.0.0.1:4568',
  S3_ACCESS_KEY: 'S3RVER',
  S3_SECRET_KEY: 'very-secret-value',
  S3_BUCKET: 'cineweave',
  AUTH_MODE: 'dev',
  NODE_ENV: 'development',
  INTERNAL_TOKEN: 'internal-token-0123456789',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe(loadConfig.name, () => {
  it('should apply the documented defaults when only the required variables are set', () => {
    const { env } = loadConfig(VALID);
    expect(env).toMatchObject({
      PORT: 3000,
      S3_REGION: 'us-east-1',
      MAX_ACTIVE_JOBS_PER_USER: 5,
      RETENTION_HOURS: 24,
      GPU_HOURLY_COST_USD: 2.5,
      DB_MIGRATE: false,
      CORS_ORIGINS: [],
    });
  });

  it('should refuse private image URLs by default and allow them only when switched on', () => {
    expect(loadConfig(VALID).env).toMatchObject({
      IMAGE_FETCH_ALLOW_PRIVATE: false,
      IMAGE_FETCH_TIMEOUT_MS: 8_000,
      IMAGE_FETCH_MAX_REDIRECTS: 3,
    });
    expect(loadConfig({ ...VALID, IMAGE_FETCH_ALLOW_PRIVATE: 'true' }).env.IMAGE_FETCH_ALLOW_PRIVATE).toBe(
      true,
    );
    expect(
      problemsOf({ ...VALID, IMAGE_FETCH_ALLOW_PRIVATE: 'yes', IMAGE_FETCH_MAX_REDIRECTS: '50' }),
    ).toEqual([
      'IMAGE_FETCH_ALLOW_PRIVATE: must be true or false',
      expect.stringMatching(/^IMAGE_FETCH_MAX_REDIRECTS: /),
    ]);
  });

  it('should list every problem at once when several variables are wrong', () => {
    const problems = problemsOf({
      ...VALID,
      DATABASE_URL: 'nope',
      PORT: '99999',
      S3_BUCKET: '',
      REDIS_URL: '',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'DATABASE_URL',
      'PORT',
      'REDIS_URL',
      'S3_BUCKET',
    ]);
  });

  it('should refuse dev auth when NODE_ENV is production', () => {
    expect(problemsOf({ ...VALID, NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^AUTH_MODE: dev .* refused unless NODE_ENV is development or test/),
    ]);
  });

  it('should require the Clerk key and parties when AUTH_MODE is clerk', () => {
    const problems = problemsOf({ ...VALID, AUTH_MODE: 'clerk' });
    expect(problems.join('\n')).toContain('CLERK_JWT_KEY');
    expect(problems.join('\n')).toContain('CLERK_AUTHORIZED_PARTIES');
    expect(problems.join('\n')).toContain('CLERK_ISSUER');
  });

  it('should require issuer, audience and JWKS when AUTH_MODE is oidc', () => {
    const problems = problemsOf({ ...VALID, AUTH_MODE: 'oidc' });
    expect(problems).toHaveLength(3);
  });

  it('should never echo a secret value when a variable is invalid', () => {
    const problems = problemsOf({ ...VALID, INTERNAL_TOKEN: 'short-secret' });
    expect(problems.join('\n')).not.toContain('short-secret');
    expect(problems[0]).toMatch(/^INTERNAL_TOKEN: must be at least 16 characters/);
  });
});
