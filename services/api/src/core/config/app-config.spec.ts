import { DEFAULT_PRICING } from '@cineweave/contracts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configProblems, loadConfig } from './app-config.ts';

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
      configProblems({ ...VALID, IMAGE_FETCH_ALLOW_PRIVATE: 'yes', IMAGE_FETCH_MAX_REDIRECTS: '50' }),
    ).toEqual([
      'IMAGE_FETCH_ALLOW_PRIVATE: must be true or false',
      expect.stringMatching(/^IMAGE_FETCH_MAX_REDIRECTS: /),
    ]);
  });

  it('should list every problem at once when several variables are wrong', () => {
    const problems = configProblems({
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
    expect(configProblems({ ...VALID, NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^AUTH_MODE: dev .* refused unless NODE_ENV is development or test/),
    ]);
  });

  it('should require the Clerk key and parties when AUTH_MODE is clerk', () => {
    const problems = configProblems({ ...VALID, AUTH_MODE: 'clerk' });
    expect(problems.join('\n')).toContain('CLERK_JWT_KEY');
    expect(problems.join('\n')).toContain('CLERK_AUTHORIZED_PARTIES');
    expect(problems.join('\n')).toContain('CLERK_ISSUER');
  });

  it('should require issuer, audience and JWKS when AUTH_MODE is oidc', () => {
    const problems = configProblems({ ...VALID, AUTH_MODE: 'oidc' });
    expect(problems).toHaveLength(3);
  });

  it('should never echo a secret value when a variable is invalid', () => {
    const problems = configProblems({ ...VALID, INTERNAL_TOKEN: 'short-secret' });
    expect(problems.join('\n')).not.toContain('short-secret');
    expect(problems[0]).toMatch(/^INTERNAL_TOKEN: must be at least 16 characters/);
  });
});

describe('PRICING_TABLE_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-pricing-config-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should price with the contracts default when no file is given', () => {
    expect(loadConfig(VALID).pricing).toEqual(DEFAULT_PRICING);
  });

  it("should price with the file's table when it is valid", () => {
    const table = { creditsPerSecond: { '1280x704': 12, '704x1280': 12, '640x352': 5, '352x640': 5 } };
    const path = file('valid.json', JSON.stringify(table));
    expect(loadConfig({ ...VALID, PRICING_TABLE_FILE: path }).pricing).toEqual({
      ...table,
      minimumCredits: 1,
    });
  });

  it.each([
    [
      'a resolution is missing',
      JSON.stringify({ creditsPerSecond: { '1280x704': 10 } }),
      /creditsPerSecond\.704x1280/,
    ],
    [
      'a price is fractional',
      JSON.stringify({
        creditsPerSecond: { '1280x704': 10, '704x1280': 10, '640x352': 2.5, '352x640': 3 },
      }),
      /creditsPerSecond\.640x352/,
    ],
    ['it is not JSON', '{ creditsPerSecond: ', /JSON/],
  ])('should stop the start naming PRICING_TABLE_FILE when %s', (_, content, detail) => {
    const problems = configProblems({ ...VALID, PRICING_TABLE_FILE: file('bad.json', content) });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PRICING_TABLE_FILE: is not a valid price table: /);
    expect(problems[0]).toMatch(detail);
  });

  it('should stop the start naming PRICING_TABLE_FILE when the file is missing', () => {
    const problems = configProblems({ ...VALID, PRICING_TABLE_FILE: join(dir, 'missing.json') });
    expect(problems).toEqual([expect.stringMatching(/^PRICING_TABLE_FILE: .*ENOENT/)]);
  });

  it('should list a bad price table beside a bad model catalog', () => {
    const problems = configProblems({
      ...VALID,
      PRICING_TABLE_FILE: file('bad-table.json', '[]'),
      MODEL_CATALOG_FILE: file('bad-catalog.json', '{}'),
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['MODEL_CATALOG_FILE', 'PRICING_TABLE_FILE']);
  });
});
