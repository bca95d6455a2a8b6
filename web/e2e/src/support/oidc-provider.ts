// A stand-in OpenID Provider for the portal's sign-in, written from OpenID Connect Core 1.0 (code
// flow, 3.1; ID token, 2 and 3.1.3.7; refresh, 12), Discovery 1.0 (4), RFC 6749 (4.1, 5.2, 6),
// RFC 7636 (PKCE, S256) and RFC 7517/7518 (JWKS, RS256). It refuses what a real provider refuses
// (unknown client or redirect URI, a missing or wrong PKCE verifier, a code used twice), and can be
// told to spoil the next ID token in one way, so that the portal's checks are shown to run.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the next ID token from the code grant is spoiled; each must make the portal refuse it. */
export type IdTokenFault = 'nonce' | 'issuer' | 'signature' | 'audience' | 'expired';

export interface OidcUser {
  sub: string;
  email: string;
}

export interface TokenRequest {
  grantType: string;
  /** True when BASE64URL(SHA-256(code_verifier)) matched the authorization request's challenge. */
  pkceVerified?: boolean;
  accessToken?: string;
}

export interface StandInOidcProvider {
  readonly issuer: string;
  readonly clientId: string;
  /** The `aud` of access tokens: what the API is configured to accept. */
  readonly apiAudience: string;
  /** Who signs in at the next authorization request. */
  user: OidcUser;
  /** Spoils the next ID token from a code grant (then resets itself). */
  faultNext: IdTokenFault | null;
  /** The next authorization request is declined, as when the person cancels. */
  denyNext: boolean;
  /** Lifetime of access tokens, in seconds (OAuth `expires_in`). */
  accessTokenSeconds: number;
  readonly authorizationRequests: URLSearchParams[];
  readonly tokenRequests: TokenRequest[];
  close(): Promise<void>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | undefined;
  user: OidcUser;
  authTime: number;
}

interface Grant {
  user: OidcUser;
  authTime: number;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function signJwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const input = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }))}.${base64url(JSON.stringify(claims))}`;
  return `${input}.${base64url(sign('sha256', Buffer.from(input), key))}`;
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startOidcProvider(options: {
  clientId: string;
  apiAudience: string;
  redirectUris: string[];
}): Promise<StandInOidcProvider> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // Same kid, other key: what a forged token signed by someone else looks like.
  const forger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const kid = randomBytes(6).toString('hex');
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, Grant>();

  const server: Server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider: StandInOidcProvider = {
    issuer,
    clientId: options.clientId,
    apiAudience: options.apiAudience,
    user: { sub: 'oidc|nobody', email: 'nobody@example.test' },
    faultNext: null,
    denyNext: false,
    accessTokenSeconds: 300,
    authorizationRequests: [],
    tokenRequests: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  function json(response: ServerResponse, status: number, body: unknown): void {
    // Token responses must not be cached (RFC 6749 5.1).
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(body));
  }

  function issueTokens(grant: Grant, nonce: string | undefined, fault: IdTokenFault | null) {
    const now = Math.floor(Date.now() / 1000);
    const accessToken = signJwt(
      {
        iss: issuer,
        sub: grant.user.sub,
        aud: options.apiAudience,
        email: grant.user.email,
        scope: 'openid profile email offline_access',
        iat: now,
        exp: now + provider.accessTokenSeconds,
      },
      privateKey,
      kid,
    );
    const digest = createHash('sha256').update(accessToken).digest();
    const idClaims: Record<string, unknown> = {
      iss: fault === 'issuer' ? 'http://127.0.0.1:9/other-provider' : issuer,
      sub: grant.user.sub,
      aud: fault === 'audience' ? 'some-other-app' : options.clientId,
      email: grant.user.email,
      // Expired, but issued recently enough that only the expiry check can refuse it.
      iat: fault === 'expired' ? now - 60 : now,
      exp: fault === 'expired' ? now - 1 : now + 600,
      auth_time: grant.authTime,
      // OIDC Core 3.3.2.11: the left half of the access token's SHA-256.
      at_hash: base64url(digest.subarray(0, digest.length / 2)),
      ...(nonce === undefined ? {} : { nonce: fault === 'nonce' ? `${nonce}-replayed` : nonce }),
    };
    const refreshToken = randomBytes(24).toString('base64url');
    refreshTokens.set(refreshToken, grant);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: provider.accessTokenSeconds,
      refresh_token: refreshToken,
      id_token: signJwt(idClaims, fault === 'signature' ? forger : privateKey, kid),
    };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', issuer);
    // The portal is a browser app on another origin: discovery, keys and tokens are read with CORS.
    response.setHeader('access-control-allow-origin', '*');
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': request.headers['access-control-request-headers'] ?? '*',
      });
      response.end();
      return;
    }

    if (request.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      json(response, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      });
      return;
    }

    if (request.method === 'GET' && url.pathname === '/jwks') {
      json(response, 200, {
        keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }],
      });
      return;
    }

    if (request.method === 'GET' && url.pathname === '/authorize') {
      const params = url.searchParams;
      provider.authorizationRequests.push(params);
      const redirectUri = params.get('redirect_uri') ?? '';
      // RFC 6749 4.1.2.1: never redirect to an unregistered address; say so to the person instead.
      if (params.get('client_id') !== options.clientId || !options.redirectUris.includes(redirectUri)) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('Unknown client or redirect_uri.');
        return;
      }
      const back = new URL(redirectUri);
      const state = params.get('state');
      if (state) back.searchParams.set('state', state);
      const challenge = params.get('code_challenge');
      if (provider.denyNext) {
        provider.denyNext = false;
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', 'The person cancelled the sign-in.');
      } else if (
        params.get('response_type') !== 'code' ||
        !params.get('scope')?.split(' ').includes('openid') ||
        params.get('code_challenge_method') !== 'S256' ||
        !challenge
      ) {
        back.searchParams.set('error', 'invalid_request');
        back.searchParams.set('error_description', 'Code flow with openid scope and S256 PKCE only.');
      } else {
        const code = randomBytes(24).toString('base64url');
        codes.set(code, {
          clientId: options.clientId,
          redirectUri,
          codeChallenge: challenge,
          nonce: params.get('nonce') ?? undefined,
          user: provider.user,
          authTime: Math.floor(Date.now() / 1000),
        });
        back.searchParams.set('code', code);
      }
      response.writeHead(302, { location: back.toString() }).end();
      return;
    }

    if (request.method === 'POST' && url.pathname === '/token') {
      const form = await readForm(request);
      const grantType = form.get('grant_type') ?? '';
      if (form.get('client_id') !== options.clientId) {
        json(response, 401, { error: 'invalid_client' });
        return;
      }
      if (grantType === 'authorization_code') {
        const code = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? ''); // single use (RFC 6749 4.1.2)
        const verifier = form.get('code_verifier') ?? '';
        const pkceVerified =
          !!code && base64url(createHash('sha256').update(verifier).digest()) === code.codeChallenge;
        const record: TokenRequest = { grantType, pkceVerified };
        provider.tokenRequests.push(record);
        if (!code || !pkceVerified || form.get('redirect_uri') !== code.redirectUri) {
          json(response, 400, { error: 'invalid_grant' });
          return;
        }
        const fault = provider.faultNext;
        provider.faultNext = null;
        const tokens = issueTokens({ user: code.user, authTime: code.authTime }, code.nonce, fault);
        record.accessToken = tokens.access_token;
        json(response, 200, tokens);
        return;
      }
      if (grantType === 'refresh_token') {
        const presented = form.get('refresh_token') ?? '';
        const grant = refreshTokens.get(presented);
        refreshTokens.delete(presented); // rotated: each refresh token works once
        const record: TokenRequest = { grantType };
        provider.tokenRequests.push(record);
        if (!grant) {
          json(response, 400, { error: 'invalid_grant' });
          return;
        }
        // A refreshed ID token carries no nonce (OIDC Core 12.2).
        const tokens = issueTokens(grant, undefined, null);
        record.accessToken = tokens.access_token;
        json(response, 200, tokens);
        return;
      }
      json(response, 400, { error: 'unsupported_grant_type' });
      return;
    }

    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  }

  return provider;
}
