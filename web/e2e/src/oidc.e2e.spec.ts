// Single sign-on end to end: the production portal in Chromium, a second built API in
// AUTH_MODE=oidc (same database as the suite's), and a stand-in OpenID Provider over real HTTP
// (./support/oidc-provider.ts). The portal's OIDC library must do the code flow with PKCE and a
// nonce, validate the ID token (signature from the JWKS, iss, aud, exp, nonce) and refuse it when
// any of them is wrong; the API must accept the access token the provider issued.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startService, waitForOk, type ServiceProcess } from '@cineweave/test-support';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPortalServer } from '../../server/serve.mjs';
import { startOidcProvider, type IdTokenFault, type StandInOidcProvider } from './support/oidc-provider.ts';
import { launchBrowser, openTab, type PortalTab } from './support/portal.ts';
import { API_ENTRY, PORTAL_ROOT, freePort } from './support/stack.ts';

const stack = inject('stack');
let idp: StandInOidcProvider;
let api: ServiceProcess | undefined;
let portal: Server | undefined;
let portalUrl: string;
let browser: Browser;

/** A tab that records every bearer token the portal sends to the API. */
async function openRecordingTab(): Promise<PortalTab & { bearers: string[] }> {
  const tab = await openTab(browser, portalUrl);
  const bearers: string[] = [];
  tab.page.on('request', (request) => {
    const authorization = request.headers()['authorization'];
    if (authorization && new URL(request.url()).pathname.startsWith('/v1/')) bearers.push(authorization);
  });
  return { ...tab, bearers };
}

/** Starts sign-in from the portal's page, as a person does: one button, then the provider. */
async function continueWithProvider(tab: PortalTab, returnUrl = '/dashboard'): Promise<void> {
  await tab.page.goto(`/sign-in?returnUrl=${encodeURIComponent(returnUrl)}`);
  await tab.page.getByRole('button', { name: `Continue with ${new URL(idp.issuer).host}` }).click();
}

function newUser() {
  const id = randomBytes(4).toString('hex');
  return { sub: `oidc|user-${id}`, email: `user-${id}@example.test` };
}

beforeAll(async () => {
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const server = createPortalServer({ root: PORTAL_ROOT, apiProxyTarget: apiUrl });
  portal = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  portalUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  idp = await startOidcProvider({
    clientId: 'cineweave-portal',
    apiAudience: 'cineweave-api',
    redirectUris: [`${portalUrl}/auth/callback`],
  });
  api = startService(API_ENTRY, {
    ...stack.apiEnv,
    PORT: String(apiPort),
    DB_MIGRATE: 'false',
    AUTH_MODE: 'oidc',
    OIDC_ISSUER: idp.issuer,
    OIDC_AUDIENCE: idp.apiAudience,
    OIDC_JWKS_URL: `${idp.issuer}/jwks`,
    OIDC_CLIENT_ID: idp.clientId,
  });
  [browser] = await Promise.all([launchBrowser(), waitForOk(`${apiUrl}/ready`, 90_000, api)]);
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  if (portal) {
    portal.closeAllConnections();
    await new Promise((resolve) => portal?.close(resolve));
  }
  await idp?.close();
});

describe('OIDC sign-in', () => {
  it('should sign in with code, PKCE and nonce and return where the person was heading when the provider answers correctly', async () => {
    const tab = await openRecordingTab();
    idp.user = newUser();

    await continueWithProvider(tab, '/account');
    // Back where the person was heading, signed in as the provider's subject.
    await tab.page.waitForURL('**/account', { timeout: 30_000 });
    const signedInAs = tab.page.locator('p', { hasText: 'Signed in as' }).locator('span');
    await signedInAs.waitFor({ timeout: 15_000 });
    // The portal names a person by the email their ID token carries (GET /v1/me), else by their id.
    expect(await signedInAs.textContent()).toBe(idp.user.email);

    const authorization = idp.authorizationRequests.at(-1) ?? new URLSearchParams();
    expect(authorization.get('response_type')).toBe('code');
    expect(authorization.get('code_challenge_method')).toBe('S256');
    expect(authorization.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorization.get('nonce')).toMatch(/.{16,}/);
    expect(authorization.get('state')).toMatch(/.{16,}/);
    const exchange = idp.tokenRequests.at(-1);
    expect(exchange).toMatchObject({ grantType: 'authorization_code', pkceVerified: true });
    // The API was called with the provider's access token, and knows the person by it.
    expect(tab.bearers).toContain(`Bearer ${exchange?.accessToken}`);
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  });

  const faults: { fault: IdTokenFault; when: string; reason: RegExp }[] = [
    { fault: 'nonce', when: 'its nonce is not this sign-in', reason: /not issued for this sign-in \(nonce/ },
    { fault: 'issuer', when: 'it names another issuer', reason: /issued by a different identity provider/ },
    { fault: 'signature', when: 'its signature is not from the JWKS', reason: /signature does not match/ },
    {
      fault: 'audience',
      when: 'it was issued to another client',
      reason: /issued to a different application/,
    },
    { fault: 'expired', when: 'it has expired', reason: /has already expired/ },
  ];
  it.each(faults)('should refuse the ID token and stay signed out when $when', async ({ fault, reason }) => {
    const tab = await openRecordingTab();
    idp.user = newUser();
    idp.faultNext = fault;

    await continueWithProvider(tab);
    await tab.page.waitForURL('**/auth/callback**');
    const alert = tab.page.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });

    expect(await alert.textContent()).toMatch(reason);
    // The provider did issue tokens (PKCE was right): the portal refused them itself.
    expect(idp.tokenRequests.at(-1)).toMatchObject({ grantType: 'authorization_code', pkceVerified: true });
    expect(tab.bearers).toEqual([]);
    await tab.page.goto('/dashboard');
    await tab.page.waitForURL('**/sign-in?**');
    expect(tab.bearers).toEqual([]);
    await tab.context.close();
  });

  it("should show the provider's refusal when the person declines", async () => {
    const tab = await openRecordingTab();
    idp.denyNext = true;
    const exchanges = idp.tokenRequests.length;

    await continueWithProvider(tab);
    const alert = tab.page.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });

    expect(await alert.textContent()).toContain(
      'The identity provider refused the sign-in: The person cancelled the sign-in.',
    );
    expect(idp.tokenRequests.length).toBe(exchanges);
    expect(tab.bearers).toEqual([]);
    await tab.context.close();
  });

  it('should renew the access token with the refresh token when it is about to expire', async () => {
    const tab = await openRecordingTab();
    idp.user = newUser();
    // The portal renews 30 s before expiry: a 32 s token is due for renewal at once.
    idp.accessTokenSeconds = 32;
    try {
      await continueWithProvider(tab);
      await tab.page.waitForURL('**/dashboard', { timeout: 30_000 });
      const signedInWith = idp.tokenRequests.length;

      await expect
        .poll(() => idp.tokenRequests.slice(signedInWith).some((r) => r.grantType === 'refresh_token'), {
          timeout: 30_000,
          interval: 250,
        })
        .toBe(true);
      await tab.page.getByRole('link', { name: 'My videos' }).first().click();
      await tab.page.waitForURL('**/jobs');

      // Renewals go on every few seconds with such short tokens: any renewed one will do.
      const renewedBearers = () =>
        idp.tokenRequests
          .slice(signedInWith)
          .filter((r) => r.grantType === 'refresh_token' && r.accessToken)
          .map((r) => `Bearer ${r.accessToken}`);
      await expect
        .poll(() => tab.bearers.some((bearer) => renewedBearers().includes(bearer)), { timeout: 15_000 })
        .toBe(true);
      expect(tab.errors).toEqual([]);
    } finally {
      idp.accessTokenSeconds = 300;
      await tab.context.close();
    }
  });
});
