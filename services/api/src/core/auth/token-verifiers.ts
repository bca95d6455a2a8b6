import { verifyToken } from '@clerk/backend';
import { type JWTPayload, createRemoteJWKSet, jwtVerify } from 'jose';
import type { Env } from '../config/config.schema.ts';
import { DomainError } from '../errors/domain-error.ts';
import { groupsFrom } from './groups-claim.ts';
import type { VerifiedIdentity } from './principal.ts';

export interface TokenVerifier {
  verify(token: string): Promise<VerifiedIdentity>;
}

const USER_ID = /^[A-Za-z0-9_.@|:-]{1,128}$/;

export const unauthenticated = (detail: string) => new DomainError('UNAUTHENTICATED', detail);

function identityFrom(
  payload: JWTPayload & { role?: unknown; email?: unknown },
  groupsClaim: string | undefined,
  clerk: boolean,
): VerifiedIdentity {
  if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub)) {
    throw unauthenticated('The token has no usable subject (sub).');
  }
  return {
    userId: payload.sub,
    admin: payload.role === 'admin',
    ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
    ...(groupsClaim !== undefined ? { groups: groupsFrom(payload, groupsClaim, clerk) } : {}),
  };
}

/**
 * `AUTH_MODE=dev`, the local stack's sign-in: `Bearer dev:<userId>` or `Bearer dev:<userId>:admin`.
 * Configuration refuses this mode outside development and test.
 */
export class DevTokenVerifier implements TokenVerifier {
  async verify(token: string): Promise<VerifiedIdentity> {
    const match = /^dev:([A-Za-z0-9_.@-]{1,128})(:admin)?$/.exec(token);
    if (!match)
      throw unauthenticated('In dev mode, send Authorization: Bearer dev:<userId> (or dev:<userId>:admin).');
    return { userId: match[1], admin: match[2] === ':admin' };
  }
}

/** An issuer compared without a trailing slash, which Clerk instances differ on. */
function normalizeIssuer(issuer: string | undefined): string | undefined {
  return issuer?.replace(/\/+$/, '');
}

/** Clerk session tokens, verified with the PEM key: no network call, ever. */
export class ClerkTokenVerifier implements TokenVerifier {
  constructor(
    private readonly jwtKey: string,
    private readonly authorizedParties: string[],
    /** The instance's Frontend API URL: a token another Clerk instance signed is refused. */
    private readonly issuer: string,
    /** SSO_GROUPS_CLAIM: a claim name, or `organization` for Clerk's organization claim. */
    private readonly groupsClaim?: string,
  ) {}

  async verify(token: string): Promise<VerifiedIdentity> {
    let payload: JWTPayload;
    try {
      // The public export throws on a bad token and returns the claims; older builds returned
      // `{ data, errors }`. Both shapes are read so an upgrade cannot turn a failure into a pass.
      const result = (await verifyToken(token, {
        jwtKey: this.jwtKey,
        authorizedParties: this.authorizedParties,
      })) as unknown as JWTPayload & { data?: JWTPayload; errors?: unknown[] };
      if (result.errors) throw new Error('invalid');
      payload = result.data ?? result;
    } catch {
      throw unauthenticated('The session token is not valid; sign in again.');
    }
    // verifyToken checks the signature, expiry and azp, not who issued the token.
    if (normalizeIssuer(payload.iss) !== normalizeIssuer(this.issuer)) {
      throw unauthenticated('The session token was issued by another Clerk instance; sign in again.');
    }
    return identityFrom(payload, this.groupsClaim, true);
  }
}

/** Generic OIDC: issuer, audience and algorithms pinned; keys from the provider's JWKS. */
export class OidcTokenVerifier implements TokenVerifier {
  private readonly jwks;

  constructor(
    jwksUrl: string,
    private readonly issuer: string,
    private readonly audience: string,
    private readonly algorithms: string[],
    /** SSO_GROUPS_CLAIM: the claim holding the person's groups, e.g. `groups`. */
    private readonly groupsClaim?: string,
  ) {
    this.jwks = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
  }

  async verify(token: string): Promise<VerifiedIdentity> {
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: this.issuer,
        audience: this.audience,
        algorithms: this.algorithms,
        requiredClaims: ['exp', 'sub'],
      });
      return identityFrom(payload, this.groupsClaim, false);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw unauthenticated('The access token is not valid; sign in again.');
    }
  }
}

export function tokenVerifierFor(env: Env): TokenVerifier {
  switch (env.AUTH_MODE) {
    case 'dev':
      return new DevTokenVerifier();
    case 'clerk':
      return new ClerkTokenVerifier(
        env.CLERK_JWT_KEY!,
        env.CLERK_AUTHORIZED_PARTIES,
        env.CLERK_ISSUER ?? '',
        env.SSO_GROUPS_CLAIM,
      );
    case 'oidc':
      return new OidcTokenVerifier(
        env.OIDC_JWKS_URL!,
        env.OIDC_ISSUER!,
        env.OIDC_AUDIENCE!,
        env.OIDC_ALGORITHMS.length > 0 ? env.OIDC_ALGORITHMS : ['RS256', 'ES256'],
        env.SSO_GROUPS_CLAIM,
      );
  }
}
