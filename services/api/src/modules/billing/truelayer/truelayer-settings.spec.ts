import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { configProblems, loadConfig } from '../../../core/config/app-config.ts';
import { trueLayerSettings } from './truelayer-settings.ts';

const BASE = {
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

const pem = (curve: string) =>
  generateKeyPairSync('ec', { namedCurve: curve })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();

const TRUELAYER = {
  PAYMENTS_PROVIDER: 'truelayer',
  TRUELAYER_CLIENT_ID: 'client',
  TRUELAYER_CLIENT_SECRET: 'secret-value-not-to-echo',
  TRUELAYER_SIGNING_KEY_ID: 'kid-1',
  TRUELAYER_SIGNING_PRIVATE_KEY: pem('secp521r1'),
  TRUELAYER_MERCHANT_ACCOUNT_ID: 'merchant',
  TRUELAYER_RETURN_URI: 'https://portal.example.com/account/billing/return',
};

describe(trueLayerSettings.name, () => {
  it('should keep payments off and ask for nothing when PAYMENTS_PROVIDER is unset', () => {
    expect(loadConfig(BASE).env.PAYMENTS_PROVIDER).toBe('none');
  });

  it('should list every missing TrueLayer variable at once when payments are on', () => {
    const problems = configProblems({ ...BASE, PAYMENTS_PROVIDER: 'truelayer' });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'TRUELAYER_CLIENT_ID',
      'TRUELAYER_CLIENT_SECRET',
      'TRUELAYER_MERCHANT_ACCOUNT_ID',
      'TRUELAYER_RETURN_URI',
      'TRUELAYER_SIGNING_KEY_ID',
      'TRUELAYER_SIGNING_PRIVATE_KEY',
    ]);
  });

  it('should refuse a signing key on another curve without echoing it', () => {
    const key = pem('prime256v1');
    const problems = configProblems({ ...BASE, ...TRUELAYER, TRUELAYER_SIGNING_PRIVATE_KEY: key });
    expect(problems).toEqual([expect.stringMatching(/^TRUELAYER_SIGNING_PRIVATE_KEY: must be an EC P-521/)]);
    expect(problems.join('\n')).not.toContain(key.split('\n')[1]);
  });

  it('should read a key whose newlines were escaped when it comes from a single-line secret', () => {
    const escaped = TRUELAYER.TRUELAYER_SIGNING_PRIVATE_KEY.replaceAll('\n', '\\n');
    const settings = trueLayerSettings(
      loadConfig({ ...BASE, ...TRUELAYER, TRUELAYER_SIGNING_PRIVATE_KEY: escaped }).env,
    );
    expect(settings.signingPrivateKeyPem).toBe(TRUELAYER.TRUELAYER_SIGNING_PRIVATE_KEY);
  });

  it.each([
    [
      'sandbox',
      'https://api.truelayer-sandbox.com',
      'https://webhooks.truelayer-sandbox.com/.well-known/jwks',
    ],
    ['production', 'https://api.truelayer.com', 'https://webhooks.truelayer.com/.well-known/jwks'],
  ])('should default to TrueLayer %s URLs when no override is set', (environment, apiUrl, jku) => {
    const settings = trueLayerSettings(loadConfig({ ...BASE, ...TRUELAYER, TRUELAYER_ENV: environment }).env);
    expect(settings.apiUrl).toBe(apiUrl);
    expect(settings.jkuAllowlist).toEqual([jku]);
    expect(settings.creditOn).toBe('payment_settled');
  });

  it('should use the configured allow-list and credit on executed when told to', () => {
    const settings = trueLayerSettings(
      loadConfig({
        ...BASE,
        ...TRUELAYER,
        TRUELAYER_WEBHOOK_JKU_ALLOWLIST: 'https://a.example/jwks, https://b.example/jwks',
        TRUELAYER_CREDIT_ON: 'executed',
        TRUELAYER_API_URL: 'http://127.0.0.1:9999/',
      }).env,
    );
    expect(settings.jkuAllowlist).toEqual(['https://a.example/jwks', 'https://b.example/jwks']);
    expect(settings.creditOn).toBe('payment_executed');
    expect(settings.apiUrl).toBe('http://127.0.0.1:9999');
  });
});
