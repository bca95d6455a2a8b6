import { type CryptoKey, SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../errors/domain-error.ts';
import { ClerkTokenVerifier, DevTokenVerifier, OidcTokenVerifier } from './token-verifiers.ts';

const now = () => Math.floor(Date.now() / 1000);

function unsigned(claims: Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

async function expectUnauthenticated(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('UNAUTHENTICATED');
}

describe(ClerkTokenVerifier.name, () => {
  const party = 'https://portal.example.com';
  let key: CryptoKey;
  let otherKey: CryptoKey;
  let verifier: ClerkTokenVerifier;
  let publicKey: string;

  const sign = (claims: Record<string, unknown>, signingKey = key) =>
    new SignJWT({
      sub: 'user_2abc',
      iss: 'https://clerk.example.com',
      azp: party,
      iat: now() - 10,
      nbf: now() - 10,
      exp: now() + 60,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'ins_test' })
      .sign(signingKey);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    publicKey = await exportSPKI(pair.publicKey);
    verifier = new ClerkTokenVerifier(publicKey, [party], 'https://clerk.example.com');
  });

  it('should return the subject when the session token is valid', async () => {
    await expect(verifier.verify(await sign({}))).resolves.toEqual({ userId: 'user_2abc', admin: false });
  });

  it('should grant admin when the token carries role admin', async () => {
    await expect(verifier.verify(await sign({ role: 'admin' }))).resolves.toMatchObject({ admin: true });
  });

  it("should give the active organization as groups when SSO_GROUPS_CLAIM is Clerk's organization", async () => {
    const withOrganization = new ClerkTokenVerifier(
      publicKey,
      [party],
      'https://clerk.example.com',
      'organization',
    );
    await expect(
      withOrganization.verify(await sign({ v: 2, o: { id: 'org_9', slg: 'acme', rol: 'admin' } })),
    ).resolves.toMatchObject({ groups: ['acme', 'acme:admin', 'org_9', 'org_9:admin'] });
  });

  it('should refuse when the token expired', async () => {
    await expectUnauthenticated(
      verifier.verify(await sign({ exp: now() - 120, iat: now() - 300, nbf: now() - 300 })),
    );
  });

  it('should refuse when the token is not yet valid', async () => {
    await expectUnauthenticated(verifier.verify(await sign({ nbf: now() + 600 })));
  });

  it('should refuse when the token is signed by another key', async () => {
    await expectUnauthenticated(verifier.verify(await sign({}, otherKey)));
  });

  it('should refuse when another Clerk instance issued the token', async () => {
    await expectUnauthenticated(verifier.verify(await sign({ iss: 'https://clerk.attacker.example' })));
    await expectUnauthenticated(verifier.verify(await sign({ iss: undefined })));
  });

  it('should accept the pinned issuer with or without a trailing slash', async () => {
    await expect(verifier.verify(await sign({ iss: 'https://clerk.example.com/' }))).resolves.toMatchObject({
      userId: 'user_2abc',
    });
  });

  it('should refuse when the token was issued for another party', async () => {
    await expectUnauthenticated(verifier.verify(await sign({ azp: 'https://evil.example.com' })));
  });

  it('should refuse when the token uses alg none', async () => {
    await expectUnauthenticated(
      verifier.verify(
        unsigned({ sub: 'user_2abc', azp: party, exp: now() + 60, iat: now(), nbf: now() - 1 }),
      ),
    );
  });

  it('should refuse when the token is garbage', async () => {
    await expectUnauthenticated(verifier.verify('not.a.jwt'));
  });
});

describe(OidcTokenVerifier.name, () => {
  const issuer = 'https://idp.example.com/';
  const audience = 'cineweave-api';
  let key: CryptoKey;
  let otherKey: CryptoKey;
  let server: Server;
  let verifier: OidcTokenVerifier;
  let jwksUrl: string;

  const sign = (claims: Record<string, unknown> = {}, signingKey = key) =>
    new SignJWT({
      sub: 'alice@corp',
      iss: issuer,
      aud: audience,
      iat: now() - 10,
      exp: now() + 60,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(signingKey);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_request, response) => {
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    jwksUrl = `http://127.0.0.1:${port}/jwks`;
    verifier = new OidcTokenVerifier(jwksUrl, issuer, audience, ['RS256']);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('should return the subject when the access token is valid', async () => {
    await expect(verifier.verify(await sign())).resolves.toEqual({ userId: 'alice@corp', admin: false });
  });

  it('should refuse when the token expired', async () => {
    await expectUnauthenticated(verifier.verify(await sign({ exp: now() - 120 })));
  });

  it('should refuse when the token is not yet valid', async () => {
    await expectUnauthenticated(verifier.verify(await sign({ nbf: now() + 600 })));
  });

  it('should refuse when the token is signed by another key', async () => {
    await expectUnauthenticated(verifier.verify(await sign({}, otherKey)));
  });

  it('should refuse when the audience is another one', async () => {
    await expectUnauthenticated(verifier.verify(await sign({ aud: 'another-api' })));
  });

  it('should refuse when the issuer is another one', async () => {
    await expectUnauthenticated(verifier.verify(await sign({ iss: 'https://evil.example.com/' })));
  });

  it('should refuse when the token uses alg none', async () => {
    await expectUnauthenticated(
      verifier.verify(unsigned({ sub: 'alice@corp', iss: issuer, aud: audience, exp: now() + 60 })),
    );
  });

  it('should put the configured claim on the identity as groups, and [] when the token lacks it', async () => {
    const withGroups = new OidcTokenVerifier(jwksUrl, issuer, audience, ['RS256'], 'groups');
    await expect(withGroups.verify(await sign({ groups: ['studio', 'editors'] }))).resolves.toEqual({
      userId: 'alice@corp',
      admin: false,
      groups: ['editors', 'studio'],
    });
    await expect(withGroups.verify(await sign({ roles: ['studio'] }))).resolves.toMatchObject({ groups: [] });
    // Without SSO_GROUPS_CLAIM no groups are read at all, so no membership sync runs.
    await expect(verifier.verify(await sign({ groups: ['studio'] }))).resolves.not.toHaveProperty('groups');
  });

  it('should refuse when the algorithm is not the pinned one', async () => {
    const hmac = new TextEncoder().encode('a-shared-secret-that-is-long-enough-for-hs256');
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('alice@corp')
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime(now() + 60)
      .sign(hmac);
    await expectUnauthenticated(verifier.verify(token));
  });
});

describe(DevTokenVerifier.name, () => {
  const verifier = new DevTokenVerifier();

  it('should read the user and the admin flag when the token is dev:<id>[:admin]', async () => {
    await expect(verifier.verify('dev:alice')).resolves.toEqual({ userId: 'alice', admin: false });
    await expect(verifier.verify('dev:root:admin')).resolves.toEqual({ userId: 'root', admin: true });
  });

  it('should refuse when the token is not in the dev form', async () => {
    await expectUnauthenticated(verifier.verify('alice'));
    await expectUnauthenticated(verifier.verify('dev:'));
  });
});
