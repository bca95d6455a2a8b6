import type { AuthProvider } from './auth-provider';
import { devToken } from './auth-token';

const STORAGE_KEY = 'cineweave.dev-session';

/** The local stack's sign-in: a user id typed in, no password (`AUTH_MODE=dev`). */
export class DevAuthProvider implements AuthProvider {
  readonly mode = 'dev' as const;
  private token: string | null = null;

  constructor(private readonly storage: Storage = globalThis.localStorage) {}

  async init(): Promise<boolean> {
    try {
      const saved = JSON.parse(this.storage.getItem(STORAGE_KEY) ?? 'null') as {
        userId?: string;
        admin?: boolean;
      } | null;
      this.token = saved?.userId ? devToken(saved.userId, saved.admin === true) : null;
    } catch {
      this.token = null;
    }
    return this.token !== null;
  }

  signIn(userId: string, admin: boolean): void {
    this.token = devToken(userId, admin);
    this.storage.setItem(STORAGE_KEY, JSON.stringify({ userId: userId.trim(), admin }));
  }

  async getToken(): Promise<string | null> {
    return this.token;
  }

  async signOut(): Promise<void> {
    this.token = null;
    this.storage.removeItem(STORAGE_KEY);
  }
}
