import type { Env } from '../../../core/config/config.schema.ts';

const DEFAULTS = {
  sandbox: {
    authUrl: 'https://auth.truelayer-sandbox.com',
    apiUrl: 'https://api.truelayer-sandbox.com',
    hppUrl: 'https://payment.truelayer-sandbox.com',
    jkuAllowlist: ['https://webhooks.truelayer-sandbox.com/.well-known/jwks'],
  },
  production: {
    authUrl: 'https://auth.truelayer.com',
    apiUrl: 'https://api.truelayer.com',
    hppUrl: 'https://payment.truelayer.com',
    jkuAllowlist: ['https://webhooks.truelayer.com/.well-known/jwks'],
  },
} as const;

/** Everything the TrueLayer client and the webhook verifier read, with per-environment defaults. */
export interface TrueLayerSettings {
  clientId: string;
  clientSecret: string;
  signingKeyId: string;
  signingPrivateKeyPem: string;
  merchantAccountId: string;
  authUrl: string;
  apiUrl: string;
  hppUrl: string;
  returnUri: string;
  jkuAllowlist: readonly string[];
  timeoutMs: number;
  /** The event that credits: `payment_settled`, or `payment_executed` where settlement is not reported. */
  creditOn: 'payment_settled' | 'payment_executed';
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Config validation guarantees the required values when PAYMENTS_PROVIDER=truelayer. */
export function trueLayerSettings(env: Env): TrueLayerSettings {
  const defaults = DEFAULTS[env.TRUELAYER_ENV];
  return {
    clientId: env.TRUELAYER_CLIENT_ID ?? '',
    clientSecret: env.TRUELAYER_CLIENT_SECRET ?? '',
    signingKeyId: env.TRUELAYER_SIGNING_KEY_ID ?? '',
    signingPrivateKeyPem: env.TRUELAYER_SIGNING_PRIVATE_KEY ?? '',
    merchantAccountId: env.TRUELAYER_MERCHANT_ACCOUNT_ID ?? '',
    authUrl: trimSlash(env.TRUELAYER_AUTH_URL ?? defaults.authUrl),
    apiUrl: trimSlash(env.TRUELAYER_API_URL ?? defaults.apiUrl),
    hppUrl: trimSlash(env.TRUELAYER_HPP_URL ?? defaults.hppUrl),
    returnUri: env.TRUELAYER_RETURN_URI ?? '',
    jkuAllowlist:
      env.TRUELAYER_WEBHOOK_JKU_ALLOWLIST.length > 0
        ? env.TRUELAYER_WEBHOOK_JKU_ALLOWLIST
        : defaults.jkuAllowlist,
    timeoutMs: env.TRUELAYER_TIMEOUT_MS,
    creditOn: env.TRUELAYER_CREDIT_ON === 'executed' ? 'payment_executed' : 'payment_settled',
  };
}
