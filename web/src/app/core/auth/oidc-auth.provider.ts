import type { AuthProvider } from './auth-provider';
import { codeChallenge, randomToken } from './pkce';

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

interface StoredTokens {
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
  expiresAt: number;
}

interface PendingSignIn {
  state: string;
  verifier: string;
  returnUrl: string;
}

const TOKENS_KEY = 'cineweave.oidc.tokens';
const PENDING_KEY = 'cineweave.oidc.pending';

/**
 * Authorization code + PKCE against an enterprise's own identity provider. Tokens live in
 * sessionStorage: they die with the tab, and a public client has no secret to protect them better.
 */
export class OidcAuthProvider implements AuthProvider {
  readonly mode = 'oidc' as const;
  private discovery: Promise<Discovery> | null = null;

  constructor(
    private readonly settings: { issuer: string; clientId: string },
    private readonly fetchFn: typeof fetch,
    private readonly storage: Storage = globalThis.sessionStorage,
    private readonly location: Location = globalThis.location,
  ) {}

  get redirectUri(): string {
    return `${this.location.origin}/auth/callback`;
  }

  get issuerHost(): string {
    try {
      return new URL(this.settings.issuer).host;
    } catch {
      return this.settings.issuer;
    }
  }

  async init(): Promise<boolean> {
    return (await this.getToken()) !== null;
  }

  async beginSignIn(returnUrl: string, signUp = false): Promise<void> {
    const { authorization_endpoint } = await this.metadata();
    const pending: PendingSignIn = { state: randomToken(16), verifier: randomToken(48), returnUrl };
    this.storage.setItem(PENDING_KEY, JSON.stringify(pending));
    const url = new URL(authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.settings.clientId,
      redirect_uri: this.redirectUri,
      scope: 'openid profile email offline_access',
      state: pending.state,
      code_challenge: await codeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      ...(signUp ? { prompt: 'create' } : {}),
    }).toString();
    this.location.assign(url.toString());
  }

  /** Finishes the redirect back from the provider; returns where the person was heading. */
  async completeSignIn(callbackUrl: string): Promise<string> {
    const params = new URL(callbackUrl).searchParams;
    const providerError = params.get('error_description') ?? params.get('error');
    if (providerError) throw new Error(`The identity provider refused the sign-in: ${providerError}`);
    const pending = JSON.parse(this.storage.getItem(PENDING_KEY) ?? 'null') as PendingSignIn | null;
    this.storage.removeItem(PENDING_KEY);
    if (!pending || pending.state !== params.get('state')) {
      throw new Error('This sign-in link has expired or was opened in another tab. Please sign in again.');
    }
    await this.exchange({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: this.redirectUri,
      code_verifier: pending.verifier,
    });
    return pending.returnUrl;
  }

  async getToken(): Promise<string | null> {
    const tokens = this.readTokens();
    if (!tokens) return null;
    if (tokens.expiresAt - 30_000 > Date.now()) return tokens.accessToken;
    if (!tokens.refreshToken) return null;
    try {
      await this.exchange({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken });
      return this.readTokens()?.accessToken ?? null;
    } catch {
      this.storage.removeItem(TOKENS_KEY);
      return null;
    }
  }

  async signOut(): Promise<void> {
    this.storage.removeItem(TOKENS_KEY);
  }

  private async exchange(grant: Record<string, string>): Promise<void> {
    const { token_endpoint } = await this.metadata();
    const response = await this.fetchFn(token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...grant, client_id: this.settings.clientId }),
    });
    if (!response.ok)
      throw new Error(`The identity provider did not issue a token (HTTP ${response.status}).`);
    const body = (await response.json()) as {
      access_token: string;
      id_token?: string;
      refresh_token?: string;
      expires_in?: number;
    };
    const previous = this.readTokens();
    const stored: StoredTokens = {
      accessToken: body.access_token,
      idToken: body.id_token,
      refreshToken: body.refresh_token ?? previous?.refreshToken,
      expiresAt: Date.now() + (body.expires_in ?? 300) * 1000,
    };
    this.storage.setItem(TOKENS_KEY, JSON.stringify(stored));
  }

  private readTokens(): StoredTokens | null {
    try {
      return JSON.parse(this.storage.getItem(TOKENS_KEY) ?? 'null') as StoredTokens | null;
    } catch {
      return null;
    }
  }

  private metadata(): Promise<Discovery> {
    this.discovery ??= this.fetchFn(
      `${this.settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
    )
      .then(async (response) => {
        if (!response.ok)
          throw new Error(`Could not read the identity provider's settings (HTTP ${response.status}).`);
        return (await response.json()) as Discovery;
      })
      .catch((error: unknown) => {
        this.discovery = null;
        throw error;
      });
    return this.discovery;
  }
}
