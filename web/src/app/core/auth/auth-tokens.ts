import { Injectable, signal } from '@angular/core';
import type { AuthProvider } from './auth-provider';
import { bearer } from './auth-token';

/**
 * Holds the active sign-in provider so the API client can ask for a token without knowing
 * (or depending on) the session that chose it.
 */
@Injectable({ providedIn: 'root' })
export class AuthTokens {
  private provider: AuthProvider | null = null;
  private readonly expired = signal(false);

  /** True once the API refused our token: the shell offers to sign in again. */
  readonly sessionExpired = this.expired.asReadonly();

  use(provider: AuthProvider | null): void {
    this.provider = provider;
    this.expired.set(false);
  }

  async authorization(): Promise<string | null> {
    const token = await this.provider?.getToken();
    return token ? bearer(token) : null;
  }

  markExpired(): void {
    if (this.provider) this.expired.set(true);
  }
}
