import { Injectable, Injector, computed, inject, signal } from '@angular/core';
import type { Me } from '@cineweave/contracts';
import { errorMessage } from '../api/api-error';
import { CineweaveApi } from '../api/cineweave-api';
import { PlatformConfigStore } from '../config/platform-config.store';
import { ActingTeam } from '../teams/acting-team';
import type { AuthProvider } from './auth-provider';
import { AuthTokens } from './auth-tokens';
import { ClerkAuthProvider } from './clerk-auth.provider';
import { DevAuthProvider } from './dev-auth.provider';
import { createOidcAuthProvider } from './oidc-auth.provider';

export type SessionStatus = 'starting' | 'signed-out' | 'signed-in' | 'unavailable';

/**
 * Who is signed in. Learns the sign-in mode from the API, restores an earlier session, and
 * makes sure the account exists (`POST /v1/users/init` is idempotent) before anything asks for it.
 */
@Injectable({ providedIn: 'root' })
export class SessionStore {
  private readonly api = inject(CineweaveApi);
  private readonly platform = inject(PlatformConfigStore);
  private readonly tokens = inject(AuthTokens);
  private readonly acting = inject(ActingTeam);
  private readonly injector = inject(Injector);

  private readonly statusState = signal<SessionStatus>('starting');
  private readonly meState = signal<Me | null>(null);
  private readonly errorState = signal<string | null>(null);
  private readonly teamsErrorState = signal<string | null>(null);
  private readonly providerState = signal<AuthProvider | null>(null);
  private started: Promise<void> | null = null;

  readonly status = this.statusState.asReadonly();
  readonly me = this.meState.asReadonly();
  readonly error = this.errorState.asReadonly();
  /** Why the list of the person's teams could not be read (calls then act for their default team). */
  readonly teamsError = this.teamsErrorState.asReadonly();
  readonly provider = this.providerState.asReadonly();
  readonly signedIn = computed(() => this.statusState() === 'signed-in');
  readonly isAdmin = computed(() => this.meState()?.user.role === 'admin');
  readonly displayName = computed(() => {
    const user = this.meState()?.user;
    return user?.email || user?.id || '';
  });

  /** Resolves once the session is known (signed in, signed out or API unavailable). */
  start(): Promise<void> {
    this.started ??= this.boot();
    return this.started;
  }

  async signInDev(userId: string, admin: boolean): Promise<void> {
    const provider = this.providerState();
    if (!(provider instanceof DevAuthProvider))
      throw new Error('Local sign-in is not enabled on this deployment.');
    provider.signIn(userId, admin);
    this.tokens.use(provider);
    await this.establish();
  }

  /** Called once an OIDC redirect or a Clerk component has produced a session. */
  async refresh(): Promise<void> {
    const provider = this.providerState();
    this.tokens.use(provider);
    if (provider && (await provider.getToken())) await this.establish();
    else this.signedOut();
  }

  async signOut(): Promise<void> {
    await this.providerState()?.signOut();
    this.acting.clear();
    this.signedOut();
  }

  /**
   * Re-reads the person's teams and the profile of the team in force: after joining or creating
   * a team, and when a call suggests the chosen team is gone. A chosen team no longer among
   * them falls back to the default team before the profile is read (it would answer 404).
   */
  async reloadTeams(): Promise<void> {
    try {
      this.acting.reconcile(await this.api.teams());
      this.teamsErrorState.set(null);
    } catch (error) {
      // Without the list a stored choice cannot be checked: act for the default team rather than fail every call.
      this.acting.choose(null);
      this.teamsErrorState.set(errorMessage(error));
    }
  }

  private async boot(): Promise<void> {
    const config = await this.platform.load();
    if (!config) {
      this.errorState.set(this.platform.error());
      this.statusState.set('unavailable');
      return;
    }
    try {
      const provider = this.createProvider(config.authMode, config);
      this.providerState.set(provider);
      this.tokens.use(provider);
      if (await provider.init()) await this.establish();
      else this.signedOut();
    } catch (error) {
      this.errorState.set(errorMessage(error));
      this.statusState.set('unavailable');
    }
  }

  private async establish(): Promise<void> {
    try {
      await this.api.initUser();
      await this.reloadTeams();
      this.meState.set(await this.api.me());
      this.acting.setVerifier(() => this.reloadTeams());
      this.errorState.set(null);
      this.statusState.set('signed-in');
    } catch (error) {
      this.errorState.set(errorMessage(error));
      this.signedOut();
      throw error;
    }
  }

  private signedOut(): void {
    this.acting.setVerifier(null);
    this.meState.set(null);
    this.statusState.set('signed-out');
  }

  private createProvider(
    mode: string,
    config: { clerkPublishableKey?: string; oidc?: { issuer: string; clientId: string } },
  ): AuthProvider {
    switch (mode) {
      case 'dev':
        return new DevAuthProvider();
      case 'oidc':
        if (!config.oidc)
          throw new Error('The API is in OIDC mode but did not say which identity provider to use.');
        return createOidcAuthProvider(config.oidc, this.injector);
      case 'clerk':
        if (!config.clerkPublishableKey)
          throw new Error('The API is in Clerk mode but sent no publishable key.');
        return new ClerkAuthProvider(
          config.clerkPublishableKey,
          () => void this.refresh().catch(() => undefined),
        );
      default:
        throw new Error(`The API reported an unknown sign-in mode "${mode}".`);
    }
  }
}
