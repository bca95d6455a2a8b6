import { type KeyObject, generateKeyPairSync, randomUUID, sign as signBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign, verify } from 'truelayer-signing';

export const CLIENT_ID = 'cineweave-sandbox-client';
export const CLIENT_SECRET = 'stand-in-client-secret-0123456789';
export const MERCHANT_ACCOUNT_ID = '6a8e2b3c-0f6d-4b2f-9a55-6f1d3e2c9b10';
export const SIGNING_KEY_ID = 'cineweave-request-key';
const WEBHOOK_KID = 'truelayer-webhook-key';

interface EcKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privatePem: string;
  publicPem: string;
}

export function p521Key(): EcKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface StandInPayment {
  id: string;
  amountInMinor: number;
  currency: string;
  status: string;
  resourceToken: string;
  idempotencyKey: string;
  body: Record<string, unknown>;
}

/** A fault the next matching requests meet: an HTTP status, or no answer for `delayMs`. */
export interface Fault {
  route: 'token' | 'create-payment';
  status?: number;
  delayMs?: number;
}

export interface WebhookOptions {
  /** Signs with a key that is not in the published JWKS (same kid). */
  forge?: boolean;
  jku?: string;
  timestamp?: Date;
  /** Changes the timestamp header after signing. */
  tamperTimestamp?: string;
  tamperBody?: string;
}

/**
 * TrueLayer as far as CineWeave uses it, over real HTTP on 127.0.0.1: the client-credentials
 * token, signed payment creation (the request signature is verified with the API's public key),
 * payment status, the webhook JWKS; and webhooks signed with its own P-521 key through
 * truelayer-signing, the way TrueLayer sends them (`jku` in the JWS header).
 */
export class TrueLayerStandIn {
  /** The key pair the API signs its requests with; its public half is what TrueLayer's console holds. */
  readonly requestKey = p521Key();
  readonly webhookKey = p521Key();
  readonly attackerKey = p521Key();
  readonly payments = new Map<string, StandInPayment>();
  readonly requests: { method: string; path: string }[] = [];
  faults: Fault[] = [];
  tokensIssued = 0;
  private readonly tokens = new Set<string>();
  private server!: Server;
  baseUrl = '';

  static async start(): Promise<TrueLayerStandIn> {
    const standIn = new TrueLayerStandIn();
    standIn.server = createServer((request, response) => void standIn.handle(request, response));
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    standIn.baseUrl = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
    return standIn;
  }

  get jku(): string {
    return `${this.baseUrl}/.well-known/jwks`;
  }

  /** Served by the same server, so a test can prove the API never fetched it. */
  get foreignJku(): string {
    return `${this.baseUrl}/attacker/jwks`;
  }

  /** Environment for the API under test. */
  env(): Record<string, string> {
    return {
      PAYMENTS_PROVIDER: 'truelayer',
      TRUELAYER_ENV: 'sandbox',
      TRUELAYER_CLIENT_ID: CLIENT_ID,
      TRUELAYER_CLIENT_SECRET: CLIENT_SECRET,
      TRUELAYER_SIGNING_KEY_ID: SIGNING_KEY_ID,
      TRUELAYER_SIGNING_PRIVATE_KEY: this.requestKey.privatePem,
      TRUELAYER_MERCHANT_ACCOUNT_ID: MERCHANT_ACCOUNT_ID,
      TRUELAYER_AUTH_URL: this.baseUrl,
      TRUELAYER_API_URL: this.baseUrl,
      TRUELAYER_HPP_URL: 'https://payment.truelayer-sandbox.com',
      TRUELAYER_RETURN_URI: 'http://localhost:4200/account/billing/return',
      TRUELAYER_WEBHOOK_JKU_ALLOWLIST: this.jku,
    };
  }

  hits(path: string): number {
    return this.requests.filter((request) => request.path === path).length;
  }

  /** Headers and body of a webhook as TrueLayer would send `event` to `path`. */
  async signWebhook(
    path: string,
    event: Record<string, unknown>,
    options: WebhookOptions = {},
  ): Promise<{ headers: Record<string, string>; body: string }> {
    const body = JSON.stringify(event);
    const timestamp = (options.timestamp ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const key = options.forge ? this.attackerKey : this.webhookKey;
    const jku = options.jku ?? this.jku;
    let header = '';
    // truelayer-signing builds the canonical v2 payload; TrueLayer's webhook JWS also names its
    // key set (`jku`), which the library's header lacks, so the header is extended before signing.
    const partial = await sign({
      kid: WEBHOOK_KID,
      method: 'POST' as never,
      path,
      headers: { 'X-Tl-Webhook-Timestamp': timestamp },
      body,
      signingFunction: async (message: string) => {
        const [libraryHeader, payload] = message.split('.');
        const fields = JSON.parse(Buffer.from(libraryHeader, 'base64url').toString('utf8')) as object;
        header = Buffer.from(JSON.stringify({ ...fields, jku })).toString('base64url');
        return signBytes('sha512', Buffer.from(`${header}.${payload}`), {
          key: key.privateKey,
          dsaEncoding: 'ieee-p1363',
        }).toString('base64url');
      },
    });
    const signature = `${header}..${partial.split('..')[1]}`;
    return {
      headers: {
        'content-type': 'application/json',
        'tl-signature': signature,
        'x-tl-webhook-timestamp': options.tamperTimestamp ?? timestamp,
      },
      body: options.tamperBody ?? body,
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    this.requests.push({ method: request.method ?? '', path: url.pathname });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };

    if (request.method === 'GET' && url.pathname === '/.well-known/jwks') {
      return json(200, { keys: [this.jwk(this.webhookKey)] });
    }
    if (request.method === 'GET' && url.pathname === '/attacker/jwks') {
      return json(200, { keys: [this.jwk(this.attackerKey)] });
    }
    if (request.method === 'POST' && url.pathname === '/connect/token') {
      if (await this.fault('token', response)) return;
      const form = new URLSearchParams(body);
      if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) {
        return json(401, { error: 'invalid_client' });
      }
      if (form.get('grant_type') !== 'client_credentials' || !form.get('scope')?.includes('payments')) {
        return json(400, { error: 'invalid_request' });
      }
      const token = randomUUID();
      this.tokens.add(token);
      this.tokensIssued++;
      return json(200, { access_token: token, expires_in: 3600, token_type: 'Bearer', scope: 'payments' });
    }
    const bearer = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!this.tokens.has(bearer)) return json(401, { title: 'Unauthorized' });

    if (request.method === 'POST' && url.pathname === '/v3/payments') {
      if (await this.fault('create-payment', response)) return;
      const idempotencyKey = request.headers['idempotency-key'];
      if (typeof idempotencyKey !== 'string' || idempotencyKey === '') {
        return json(400, { title: 'Idempotency-Key header is required' });
      }
      try {
        verify({
          publicKeyPem: this.requestKey.publicPem,
          signature: String(request.headers['tl-signature'] ?? ''),
          method: 'POST' as never,
          path: url.pathname,
          body,
          headers: request.headers as Record<string, string>,
          requiredHeaders: ['Idempotency-Key'],
        });
      } catch {
        return json(401, { title: 'Invalid request signature' });
      }
      const replay = [...this.payments.values()].find((p) => p.idempotencyKey === idempotencyKey);
      const parsed = JSON.parse(body) as Record<string, unknown>;
      const payment = replay ?? {
        id: randomUUID(),
        amountInMinor: parsed['amount_in_minor'] as number,
        currency: parsed['currency'] as string,
        status: 'authorization_required',
        resourceToken: `rt-${randomUUID()}`,
        idempotencyKey,
        body: parsed,
      };
      this.payments.set(payment.id, payment);
      return json(201, {
        id: payment.id,
        user: { id: randomUUID() },
        resource_token: payment.resourceToken,
        status: payment.status,
      });
    }
    const match = /^\/v3\/payments\/([\w-]+)$/.exec(url.pathname);
    if (request.method === 'GET' && match) {
      const payment = this.payments.get(match[1]);
      if (!payment) return json(404, { title: 'Not found' });
      return json(200, {
        id: payment.id,
        amount_in_minor: payment.amountInMinor,
        currency: payment.currency,
        status: payment.status,
        ...(payment.status === 'failed' ? { failure_reason: 'authorization_failed' } : {}),
      });
    }
    json(404, { title: 'No such route in the stand-in' });
  }

  private async fault(route: Fault['route'], response: ServerResponse): Promise<boolean> {
    const index = this.faults.findIndex((fault) => fault.route === route);
    if (index < 0) return false;
    const [fault] = this.faults.splice(index, 1);
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (response.destroyed) return true;
    response.writeHead(fault.status ?? 503, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ title: 'Stand-in fault' }));
    return true;
  }

  private jwk(key: EcKey): Record<string, string> {
    return {
      ...(key.publicKey.export({ format: 'jwk' }) as Record<string, string>),
      kid: WEBHOOK_KID,
      alg: 'ES512',
      use: 'sig',
    };
  }
}
