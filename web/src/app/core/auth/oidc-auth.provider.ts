import type { Injector } from '@angular/core';
import {
  type AuthStateResult,
  EventTypes,
  type LoginResponse,
  OidcSecurityService,
  PublicEventsService,
  ValidationResult,
} from 'angular-auth-oidc-client';
import { filter, firstValueFrom } from 'rxjs';
import type { AuthProvider } from './auth-provider';
import type { OidcSettings } from './oidc-settings';

const RETURN_URL_KEY = 'cineweave.oidc.returnUrl';

/** The library's services are root singletons: the provider is built from them, not with `new` alone. */
export function createOidcAuthProvider(settings: OidcSettings, injector: Injector): OidcAuthProvider {
  return new OidcAuthProvider(settings, injector.get(OidcSecurityService), injector.get(PublicEventsService));
}

/** Sign-in with the enterprise's own identity provider, through angular-auth-oidc-client. */
export class OidcAuthProvider implements AuthProvider {
  readonly mode = 'oidc' as const;
  private checked: Promise<{ response: LoginResponse; refusal: ValidationResult | null }> | null = null;
  private callbackParams = new URLSearchParams();

  constructor(
    private readonly settings: OidcSettings,
    private readonly oidc: OidcSecurityService,
    private readonly events: PublicEventsService,
    private readonly storage: Storage = globalThis.sessionStorage,
    private readonly location: Location = globalThis.location,
  ) {}

  get issuerHost(): string {
    try {
      return new URL(this.settings.issuer).host;
    } catch {
      return this.settings.issuer;
    }
  }

  /**
   * Restores the session, or, on the redirect back from the provider, finishes the sign-in: the
   * library exchanges the code with the PKCE verifier and validates the ID token before keeping it.
   */
  async init(): Promise<boolean> {
    const { response } = await this.check();
    if (response.isAuthenticated) return true;
    // The access token expired while the tab was away: one refresh before calling it signed out.
    if (!(await firstValueFrom(this.oidc.getRefreshToken()))) return false;
    const refreshed = await firstValueFrom(this.oidc.forceRefreshSession()).catch(() => null);
    return refreshed?.isAuthenticated ?? false;
  }

  async beginSignIn(returnUrl: string, signUp = false): Promise<void> {
    // Read the discovery document first so that an unreachable provider is reported here; the
    // library's own redirect would only log it.
    await firstValueFrom(this.oidc.preloadAuthWellKnownDocument()).catch(() => {
      throw new Error(
        `Could not reach the identity provider at ${this.issuerHost}. Try again in a moment, or ask your administrator to check the single sign-on settings.`,
      );
    });
    this.storage.setItem(RETURN_URL_KEY, returnUrl);
    this.oidc.authorize(undefined, {
      ...(signUp ? { customParams: { prompt: 'create' } } : {}),
      urlHandler: (url) => this.location.assign(url),
    });
  }

  /** The outcome of the redirect back from the provider; returns where the person was heading. */
  async completeSignIn(): Promise<string> {
    const { response, refusal } = await this.check();
    const providerError = this.callbackParams.get('error_description') ?? this.callbackParams.get('error');
    if (providerError) throw new Error(`The identity provider refused the sign-in: ${providerError}`);
    if (!response.isAuthenticated) throw new Error(refusalMessage(refusal, response.errorMessage));
    const returnUrl = this.storage.getItem(RETURN_URL_KEY) ?? '/dashboard';
    this.storage.removeItem(RETURN_URL_KEY);
    return returnUrl;
  }

  async getToken(): Promise<string | null> {
    return (await firstValueFrom(this.oidc.getAccessToken())) || null;
  }

  async signOut(): Promise<void> {
    this.oidc.logoffLocal();
  }

  /** One check per page load: a callback's code can be redeemed, and its nonce used, only once. */
  private check(): Promise<{ response: LoginResponse; refusal: ValidationResult | null }> {
    this.checked ??= (async () => {
      // The library cleans the code from the address bar: keep what the provider sent.
      const url = this.location.href;
      this.callbackParams = new URL(url).searchParams;
      let refusal: ValidationResult | null = null;
      const refusals = this.events
        .registerForEvents()
        .pipe(filter((event) => event.type === EventTypes.NewAuthenticationResult))
        .subscribe(({ value }) => {
          const result = value as AuthStateResult | undefined;
          if (result && !result.isAuthenticated) refusal = result.validationResult;
        });
      try {
        const response = await firstValueFrom(this.oidc.checkAuth(url)).catch(
          (error: unknown): LoginResponse => ({
            // A state that no sign-in of this tab issued is refused before anything is redeemed.
            isAuthenticated: false,
            errorMessage: error instanceof Error ? error.message : String(error),
            userData: null,
            accessToken: '',
            idToken: '',
          }),
        );
        return { response, refusal };
      } finally {
        refusals.unsubscribe();
      }
    })();
    return this.checked;
  }
}

const REFUSALS: Partial<Record<ValidationResult, string>> = {
  [ValidationResult.SignatureFailed]: "its signature does not match the provider's published keys",
  [ValidationResult.IncorrectNonce]: 'it was not issued for this sign-in (nonce mismatch)',
  [ValidationResult.IssDoesNotMatchIssuer]: 'it was issued by a different identity provider',
  [ValidationResult.IncorrectAud]: 'it was issued to a different application',
  [ValidationResult.IncorrectAzp]: 'it was issued to a different application',
  [ValidationResult.TokenExpired]:
    'it has already expired (check the clocks of this computer and the provider)',
  [ValidationResult.MaxOffsetExpired]:
    'it was issued too long ago (check the clocks of this computer and the provider)',
  [ValidationResult.RequiredPropertyMissing]: 'it lacks a required claim',
  [ValidationResult.IncorrectAtHash]: 'it does not belong to the access token it came with',
};

function refusalMessage(refusal: ValidationResult | null, errorMessage: string | undefined): string {
  const reason = refusal ? REFUSALS[refusal] : undefined;
  if (reason) return `The identity provider's answer was refused: ${reason}. Please sign in again.`;
  if (
    refusal === ValidationResult.StatesDoNotMatch ||
    /incorrect state|no state|matching config for state/i.test(errorMessage ?? '')
  )
    return 'This sign-in link has expired or was opened in another tab. Please sign in again.';
  return 'Signing in with your identity provider did not complete. Please sign in again.';
}
