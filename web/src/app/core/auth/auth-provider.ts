import type { AuthMode } from '@cineweave/contracts';

/** One way of signing in (dev, Clerk, OIDC): where the bearer token for the API comes from. */
export interface AuthProvider {
  readonly mode: AuthMode;
  /** Restores a session left from an earlier visit; true when someone is signed in. */
  init(): Promise<boolean>;
  /** The bearer token for the next API call, or null when nobody is signed in. */
  getToken(): Promise<string | null>;
  signOut(): Promise<void>;
}
