import { type EnvironmentProviders, inject, makeEnvironmentProviders } from '@angular/core';
import {
  LogLevel,
  type OpenIdConfiguration,
  StsConfigHttpLoader,
  StsConfigLoader,
  provideAuth,
} from 'angular-auth-oidc-client';
import { from, map } from 'rxjs';
import { PlatformConfigStore } from '../config/platform-config.store';

export interface OidcSettings {
  issuer: string;
  clientId: string;
}

/**
 * angular-auth-oidc-client's settings for the portal: authorization code with PKCE (S256), a nonce,
 * and the ID token checked as OIDC Core 3.1.3.7 asks (signature against the provider's JWKS, iss,
 * aud, azp, exp, iat, nonce, at_hash). Tokens live in the library's sessionStorage: they die with
 * the tab, and a public client has no secret to protect them better.
 */
export function oidcConfiguration(settings: OidcSettings, origin: string): OpenIdConfiguration {
  return {
    // The discovery document lives at <issuer>/.well-known/openid-configuration; its `issuer` may
    // or may not end in a slash, and the library accepts either against an authority without one.
    authority: settings.issuer.replace(/\/+$/, ''),
    clientId: settings.clientId,
    redirectUrl: `${origin}/auth/callback`,
    postLogoutRedirectUri: origin,
    responseType: 'code',
    scope: 'openid profile email offline_access',
    // Renewed with the refresh token shortly before the access token expires, while the tab is open.
    useRefreshToken: true,
    silentRenew: true,
    renewTimeBeforeTokenExpiresInSeconds: 30,
    // An ID token from a refresh need not repeat the nonce (OIDC Core 12.2); the library still
    // checks that its iss, sub, aud and azp match the first one.
    ignoreNonceAfterRefresh: true,
    // Who is signed in comes from the API's /v1/me, not from the provider's userinfo endpoint.
    autoUserInfo: false,
    // The callback page decides where to go next; the library must not navigate on its own.
    triggerAuthorizationResultEvent: true,
    logLevel: LogLevel.Warn,
  };
}

/**
 * The library's services, configured from `GET /v1/config` when (and only when) OIDC sign-in is
 * used: in dev and Clerk mode nothing of it runs.
 */
export function provideOidcSignIn(): EnvironmentProviders {
  // HttpClient, which the library uses, is provided in root (fetch backend) by Angular itself.
  return makeEnvironmentProviders([
    provideAuth({
      loader: {
        provide: StsConfigLoader,
        useFactory: () => {
          const platform = inject(PlatformConfigStore);
          return new StsConfigHttpLoader(
            from(platform.load()).pipe(
              map((config) => {
                if (!config?.oidc)
                  throw new Error('The API did not say which identity provider to sign in with.');
                return oidcConfiguration(config.oidc, globalThis.location.origin);
              }),
            ),
          );
        },
      },
    }),
  ]);
}
