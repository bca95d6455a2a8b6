import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { parseCidrList } from '../net/address-guard.ts';
import { parseSsoTeamMappings } from './sso-team-mappings.ts';

const csv = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const bool = z
  .enum(['true', 'false', '1', '0', ''], { error: 'must be true or false' })
  .default('false')
  .transform((value) => value === 'true' || value === '1');

const url = (what: string) => z.url({ error: `must be a URL (${what})` });

/**
 * Every environment variable the API reads. `README.md` documents each one; keep the two in step.
 * Defaults are the ones that let the local stack run.
 */
export const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    DATABASE_URL: url('postgres://user:password@host:5432/db'),
    /** Role the application switches to after connecting; it may not UPDATE or DELETE the ledger. */
    DB_APP_ROLE: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, { error: 'must be a plain role name' })
      .default('cineweave_app'),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
    DB_MIGRATE: bool,
    REDIS_URL: url('redis://host:6379/0'),
    /** Prefix of the API's own Redis keys (rate limits, live events). */
    REDIS_PREFIX: z.string().min(1).default('cineweave'),
    /** BullMQ key prefix; GPU workers must use the same one. `bull` is BullMQ's own default. */
    QUEUE_PREFIX: z.string().min(1).default('bull'),
    S3_ENDPOINT: url('http://host:9000'),
    /**
     * Origin browsers use to reach the bucket, when it differs from S3_ENDPOINT (an in-cluster
     * MinIO behind the ingress): presigned links are signed for it. Empty: S3_ENDPOINT.
     */
    S3_PUBLIC_ENDPOINT: url('https://cineweave.example.com').or(z.literal('')).default(''),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_ACCESS_KEY: z.string().min(1),
    S3_SECRET_KEY: z.string().min(1),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be a valid bucket name' }),
    AUTH_MODE: z.enum(['clerk', 'oidc', 'dev']),
    CLERK_JWT_KEY: z.string().optional(),
    CLERK_PUBLISHABLE_KEY: z.string().optional(),
    CLERK_AUTHORIZED_PARTIES: csv,
    CLERK_ISSUER: z.url({ error: 'CLERK_ISSUER must be a URL' }).optional(),
    OIDC_ISSUER: url('the issuer of your identity provider').optional(),
    OIDC_AUDIENCE: z.string().min(1).optional(),
    OIDC_JWKS_URL: url('the JWKS endpoint of your identity provider').optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_ALGORITHMS: csv.pipe(
      z.array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'])),
    ),
    ADMIN_USER_IDS: csv,
    /**
     * The token claim whose values are the person's groups, mapped to teams by SSO_TEAM_MAPPINGS at
     * sign-in: a claim name such as `groups` (OIDC, or a Clerk session-token template claim), or
     * `organization` with AUTH_MODE=clerk for Clerk's organization claim (v2 `o`, v1 `org_*`).
     */
    SSO_GROUPS_CLAIM: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_:./-]{0,199}$/, {
        error: 'must be one claim name (letters, digits, _ : . / -), e.g. groups',
      })
      .optional(),
    /** A JSON list of `{group, teamId, role}`: who is in which team with which role, by their groups. */
    SSO_TEAM_MAPPINGS: z
      .string()
      .default('[]')
      .transform((text, ctx) => {
        const { mappings, problems } = parseSsoTeamMappings(text);
        for (const message of problems) ctx.addIssue({ code: 'custom', message });
        return problems.length > 0 ? z.NEVER : mappings;
      }),
    INTERNAL_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }),
    MAX_ACTIVE_JOBS_PER_USER: z.coerce.number().int().min(1).default(5),
    RETENTION_HOURS: z.coerce.number().positive().default(24),
    /**
     * What the portal's create form starts with (the API's own defaults stay JOB_DEFAULTS). A CPU-only
     * local stack starts at draft size so a first video renders in under a minute.
     */
    FORM_DEFAULT_QUALITY: z.enum(['hd', 'draft']).default('hd'),
    FORM_DEFAULT_DURATION_SECONDS: z.coerce.number().int().min(1).max(10).default(5),
    FORM_DEFAULT_STEPS: z.coerce.number().int().min(1).max(100).default(50),
    /**
     * A JSON file of model catalog entries (an array, each shaped as `ModelEntrySchema`) that adds
     * models to the built-in catalog or replaces one by id; the chart mounts `models.catalog` here.
     */
    MODEL_CATALOG_FILE: z.string().min(1).optional(),
    /**
     * A JSON file holding this install's price table (shaped as `PricingTableSchema`: credits per
     * second at every resolution, the minimum a job costs); without it, the contracts' DEFAULT_PRICING.
     */
    PRICING_TABLE_FILE: z.string().min(1).optional(),
    /** The model of a job that names none (and prefers no preset another model serves). */
    DEFAULT_MODEL: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, { error: 'must be a model id' })
      .default('wan2.2-ti2v-5b'),
    RETENTION_SWEEP_SECONDS: z.coerce.number().positive().default(300),
    /**
     * Let a VideoJob's `spec.image.url` reach loopback, private and link-local addresses. Off by
     * default so the URL cannot be used to probe the cluster's network (SSRF); tests and the local
     * stack, whose image servers are on such addresses, turn it on.
     */
    IMAGE_FETCH_ALLOW_PRIVATE: bool,
    /**
     * The whole download of an image URL, redirects included. Below the operator's 10 s request
     * timeout, so a slow URL is answered with a 422 the operator reports, not a timeout it retries.
     */
    IMAGE_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8_000),
    IMAGE_FETCH_MAX_REDIRECTS: z.coerce.number().int().min(0).max(10).default(3),
    /**
     * Install-wide allow list (comma-separated CIDRs or addresses) of private networks that
     * outbound requests (image URLs, webhooks) may reach although the SSRF guard refuses private,
     * loopback and link-local addresses: e.g. an in-cluster receiver at 10.42.0.0/16.
     */
    SSRF_ALLOW_CIDRS: csv.transform((entries, ctx) => {
      try {
        return parseCidrList(entries);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must list CIDRs: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
    /**
     * An external classifier in the OpenAI moderation API's shape (`POST {url}/v1/moderations`), e.g. a
     * Llama Guard server the install runs. Unset: only the built-in term/pattern list applies, and
     * input images are not checked. Install-wide (set by whoever deploys), so not behind the SSRF guard.
     */
    MODERATION_CLASSIFIER_URL: url('the moderation classifier').optional(),
    /** Bearer token for the classifier, if it wants one. */
    MODERATION_CLASSIFIER_TOKEN: z.string().min(1).optional(),
    /** The `model` field sent to the classifier (e.g. omni-moderation-latest); omitted when unset. */
    MODERATION_CLASSIFIER_MODEL: z.string().min(1).optional(),
    /** Longest wait for the classifier's answer; past it the fail mode decides. */
    MODERATION_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(3_000),
    /** When the classifier is down or slow: `open` admits the job, `closed` refuses it. Admins may override. */
    MODERATION_FAIL_MODE: z.enum(['open', 'closed']).default('closed'),
    /** Longest wait for a webhook receiver's answer; past it the attempt failed. */
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** How long a delivery is retried (exponential backoff with jitter) before it is given up. */
    WEBHOOK_RETRY_WINDOW_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(24 * 3600),
    /** First retry delay; each retry doubles it (±50 % jitter) up to WEBHOOK_BACKOFF_MAX_MS. */
    WEBHOOK_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(5_000),
    WEBHOOK_BACKOFF_MAX_MS: z.coerce.number().int().min(1).default(3_600_000),
    /** Failed attempts in a row (no success between) after which an endpoint is disabled. */
    WEBHOOK_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(1).default(100),
    /** Requests in flight to one endpoint at once, across every API replica. */
    WEBHOOK_ENDPOINT_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
    /** Deliveries one API process sends at once, all endpoints together. */
    WEBHOOK_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(16),
    /** How often committed webhook events are turned into deliveries (also nudged on commit). */
    WEBHOOK_POLL_MS: z.coerce.number().int().positive().default(1000),
    GPU_HOURLY_COST_USD: z.coerce.number().min(0).default(2.5),
    CORS_ORIGINS: csv,
    /**
     * The portal's origin, for links the API hands out (team invitations: `{PORTAL_URL}/invite/{token}`).
     * Empty: the first CORS origin, else a path on the API's own origin (portal and API behind one ingress).
     */
    PORTAL_URL: url('https://cineweave.example.com').or(z.literal('')).default(''),
    /** A reservation older than this fails the job and releases its credits. */
    RESERVATION_TIMEOUT_MINUTES: z.coerce.number().positive().default(180),
    RECONCILE_INTERVAL_SECONDS: z.coerce.number().positive().default(30),
    OUTBOX_POLL_MS: z.coerce.number().int().positive().default(1000),
    /**
     * Jobs the fair dispatcher keeps waiting in a model's BullMQ queue beyond one per idle worker:
     * more hides the dispatcher's round trip from a worker that just finished, and is what a team
     * that just submitted may have to wait behind (issue #19: fair queueing).
     */
    DISPATCH_BUFFER_PER_MODEL: z.coerce.number().int().min(0).default(1),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    MAX_JSON_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(64 * 1024),
    BACKGROUND_TASKS: bool.default(true),
    /** HTTP worker processes (node:cluster) in one container; in Kubernetes prefer replicas. */
    API_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
    /** `truelayer` sells credit packs and plans; `none` where credits come only from admins. */
    PAYMENTS_PROVIDER: z.enum(['none', 'truelayer']).default('none'),
    TRUELAYER_ENV: z.enum(['sandbox', 'production']).default('sandbox'),
    TRUELAYER_CLIENT_ID: z.string().min(1).optional(),
    TRUELAYER_CLIENT_SECRET: z.string().min(1).optional(),
    TRUELAYER_SIGNING_KEY_ID: z.string().min(1).optional(),
    /** EC P-521 private key in PEM; `\n` escapes are read as newlines, for single-line secret stores. */
    TRUELAYER_SIGNING_PRIVATE_KEY: z
      .string()
      .min(1)
      .transform((pem) => pem.replaceAll('\\n', '\n'))
      .optional(),
    TRUELAYER_MERCHANT_ACCOUNT_ID: z.string().min(1).optional(),
    /** Default to TrueLayer's own for TRUELAYER_ENV; set only to point at a proxy or a stand-in. */
    TRUELAYER_AUTH_URL: url('TrueLayer auth server').optional(),
    TRUELAYER_API_URL: url('TrueLayer API').optional(),
    TRUELAYER_HPP_URL: url('TrueLayer hosted payment page').optional(),
    /** Where the hosted payment page sends the payer back: the portal's /account/billing/return. */
    TRUELAYER_RETURN_URI: url('https://portal.example.com/account/billing/return').optional(),
    /** `jku` URLs webhook keys may come from; defaults to TrueLayer's for TRUELAYER_ENV. */
    TRUELAYER_WEBHOOK_JKU_ALLOWLIST: csv.pipe(z.array(z.url({ error: 'must list URLs' }))),
    TRUELAYER_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** `executed` only where TrueLayer does not report settlement (payments not into a merchant account). */
    TRUELAYER_CREDIT_ON: z.enum(['settled', 'executed']).default('settled'),
  })
  .superRefine((env, ctx) => {
    const need = (key: keyof typeof env, why: string) => {
      const value = env[key];
      if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `is required ${why}` });
      }
    };
    if (env.AUTH_MODE === 'dev' && env.NODE_ENV !== 'development' && env.NODE_ENV !== 'test') {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_MODE'],
        message:
          'dev accepts any user id without a password: it is refused unless NODE_ENV is development or test',
      });
    }
    if (env.AUTH_MODE === 'clerk') {
      need('CLERK_JWT_KEY', 'when AUTH_MODE=clerk (the PEM public key from the Clerk dashboard)');
      need('CLERK_AUTHORIZED_PARTIES', 'when AUTH_MODE=clerk (the portal origins, comma-separated)');
      need('CLERK_ISSUER', 'when AUTH_MODE=clerk (the Frontend API URL, e.g. https://clerk.example.com)');
    }
    if (env.PAYMENTS_PROVIDER === 'truelayer') {
      const why = 'when PAYMENTS_PROVIDER=truelayer (see the TrueLayer Console)';
      need('TRUELAYER_CLIENT_ID', why);
      need('TRUELAYER_CLIENT_SECRET', why);
      need('TRUELAYER_SIGNING_KEY_ID', why);
      need('TRUELAYER_SIGNING_PRIVATE_KEY', why);
      need('TRUELAYER_MERCHANT_ACCOUNT_ID', why);
      need(
        'TRUELAYER_RETURN_URI',
        'when PAYMENTS_PROVIDER=truelayer (the portal URL /account/billing/return)',
      );
      if (env.TRUELAYER_SIGNING_PRIVATE_KEY && !isP521PrivateKey(env.TRUELAYER_SIGNING_PRIVATE_KEY)) {
        ctx.addIssue({
          code: 'custom',
          path: ['TRUELAYER_SIGNING_PRIVATE_KEY'],
          message: 'must be an EC P-521 private key in PEM (openssl ecparam -genkey -name secp521r1 -noout)',
        });
      }
    }
    if (env.SSO_GROUPS_CLAIM !== undefined && env.AUTH_MODE === 'dev') {
      ctx.addIssue({
        code: 'custom',
        path: ['SSO_GROUPS_CLAIM'],
        message: 'needs AUTH_MODE=oidc or clerk: dev tokens carry no claims',
      });
    }
    if (env.SSO_GROUPS_CLAIM === 'organization' && env.AUTH_MODE !== 'clerk') {
      ctx.addIssue({
        code: 'custom',
        path: ['SSO_GROUPS_CLAIM'],
        message:
          "'organization' reads Clerk's organization claim and needs AUTH_MODE=clerk; name your provider's groups claim instead",
      });
    }
    if (env.SSO_TEAM_MAPPINGS.length > 0 && env.SSO_GROUPS_CLAIM === undefined) {
      need('SSO_GROUPS_CLAIM', 'when SSO_TEAM_MAPPINGS is set (the claim holding the groups, e.g. groups)');
    }
    if (env.AUTH_MODE === 'oidc') {
      need('OIDC_ISSUER', 'when AUTH_MODE=oidc');
      need('OIDC_AUDIENCE', 'when AUTH_MODE=oidc');
      need('OIDC_JWKS_URL', 'when AUTH_MODE=oidc');
    }
  });

export type Env = z.output<typeof EnvSchema>;

function isP521PrivateKey(pem: string): boolean {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp521r1';
  } catch {
    return false;
  }
}
