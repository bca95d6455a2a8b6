import { TestBed } from '@angular/core/testing';
import type { UserInit } from '@cineweave/contracts';
import { ApiError } from '../api/api-error';
import { CineweaveApi } from '../api/cineweave-api';
import { AuthTokens } from './auth-tokens';
import { SessionStore } from './session.store';

function setup(api: Partial<CineweaveApi>) {
  TestBed.configureTestingModule({ providers: [{ provide: CineweaveApi, useValue: api }] });
  return { session: TestBed.inject(SessionStore), tokens: TestBed.inject(AuthTokens) };
}

const devConfig = async () => ({
  authMode: 'dev' as const,
  paymentsProvider: 'none',
  retentionHours: 24,
  formDefaults: { quality: 'draft' as const, durationSeconds: 2, steps: 4 },
});
const profile = (id: string, role: 'user' | 'admin') => ({
  user: { id, role, email: null },
  account: {
    id: '00000000-0000-4000-8000-000000000001',
    plan: 'free' as const,
    createdAt: '2026-01-01T00:00:00Z',
  },
  team: {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'Personal',
    personal: true,
    role: 'owner' as const,
  },
  credits: { balance: 100, reserved: 0, available: 100, plan: 'free' as const },
});

/** The answer of `POST /v1/users/init` for an account that already existed. */
const initialised = (id: string, role: 'user' | 'admin'): UserInit => ({
  created: false,
  user: { id, role },
  credits: { balance: 100, reserved: 0, available: 100, plan: 'free' },
});

describe(SessionStore.name, () => {
  beforeEach(() => localStorage.clear());

  it('should be signed out when the API is in dev mode and nobody signed in before', async () => {
    const { session } = setup({ config: devConfig });

    await session.start();

    expect(session.status()).toBe('signed-out');
    expect(session.provider()?.mode).toBe('dev');
  });

  it('should initialise the account and read the profile when signing in with a dev user', async () => {
    const initUser = vi.fn(async () => initialised('root', 'admin'));
    const { session, tokens } = setup({
      config: devConfig,
      initUser,
      me: async () => profile('root', 'admin'),
    });
    await session.start();

    await session.signInDev('root', true);

    expect(initUser).toHaveBeenCalledTimes(1);
    expect(session.signedIn()).toBe(true);
    expect(session.isAdmin()).toBe(true);
    await expect(tokens.authorization()).resolves.toBe('Bearer dev:root:admin');
  });

  it('should restore the earlier dev session when the page is reloaded', async () => {
    localStorage.setItem('cineweave.dev-session', JSON.stringify({ userId: 'alice', admin: false }));
    const { session } = setup({
      config: devConfig,
      initUser: async () => initialised('alice', 'user'),
      me: async () => profile('alice', 'user'),
    });

    await session.start();

    expect(session.signedIn()).toBe(true);
    expect(session.displayName()).toBe('alice');
  });

  it('should report the API unavailable when the config cannot be read', async () => {
    const { session } = setup({
      config: async () => {
        throw ApiError.network('/v1/config');
      },
    });

    await session.start();

    expect(session.status()).toBe('unavailable');
    expect(session.error()).toMatch(/Could not reach the CineWeave API/);
  });

  it('should stay signed out with the reason when the API refuses the token', async () => {
    const { session } = setup({
      config: devConfig,
      initUser: async () => {
        throw new ApiError(401, null, 'The token is not valid.');
      },
    });
    await session.start();

    await expect(session.signInDev('alice', false)).rejects.toThrow('The token is not valid.');

    expect(session.status()).toBe('signed-out');
    expect(session.error()).toBe('The token is not valid.');
  });

  it('should forget the dev session when signing out', async () => {
    const { session } = setup({
      config: devConfig,
      initUser: async () => initialised('alice', 'user'),
      me: async () => profile('alice', 'user'),
    });
    await session.start();
    await session.signInDev('alice', false);

    await session.signOut();

    expect(session.signedIn()).toBe(false);
    expect(localStorage.getItem('cineweave.dev-session')).toBeNull();
  });
});
