import { TestBed } from '@angular/core/testing';
import { ApiError } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { AccountStore } from './account.store';

function setup(api: Partial<CineweaveApi>) {
  TestBed.configureTestingModule({ providers: [AccountStore, { provide: CineweaveApi, useValue: api }] });
  return TestBed.inject(AccountStore);
}

const TEAM = '00000000-0000-4000-8000-000000000001';

describe(AccountStore.name, () => {
  it('should show the secret once and list the key without it when a key is created', async () => {
    const store = setup({
      apiKeys: async () => [],
      createApiKey: async (name: string) => ({
        id: 'k1',
        teamId: TEAM,
        name,
        key: 'cw_secret',
        prefix: 'cw_secr',
        createdAt: '2026-01-01T00:00:00Z',
        lastUsedAt: null,
      }),
    });
    await store.loadKeys();

    await expect(store.createKey(' ci runner ')).resolves.toBe(true);

    expect(store.created()?.key).toBe('cw_secret');
    expect(store.keys()).toEqual([
      {
        id: 'k1',
        teamId: TEAM,
        name: 'ci runner',
        prefix: 'cw_secr',
        createdAt: '2026-01-01T00:00:00Z',
        lastUsedAt: null,
      },
    ]);
    store.dismissCreated();
    expect(store.created()).toBeNull();
  });

  it('should refuse to create a key when it has no name', async () => {
    const createApiKey = vi.fn();
    const store = setup({ createApiKey });

    await expect(store.createKey('  ')).resolves.toBe(false);

    expect(createApiKey).not.toHaveBeenCalled();
    expect(store.keyActionError()).toMatch(/Give the key a name/);
  });

  it('should remove a key from the list when it is revoked', async () => {
    const store = setup({
      apiKeys: async () => [
        { id: 'k1', teamId: TEAM, name: 'a', prefix: 'cw_k1', createdAt: '', lastUsedAt: null },
        { id: 'k2', teamId: TEAM, name: 'b', prefix: 'cw_k2', createdAt: '', lastUsedAt: null },
      ],
      revokeApiKey: async () => undefined,
    });
    await store.loadKeys();

    await store.revokeKey('k1');

    expect(store.keys().map((key) => key.id)).toEqual(['k2']);
  });

  it('should keep the key and explain when revoking fails', async () => {
    const store = setup({
      apiKeys: async () => [
        { id: 'k1', teamId: TEAM, name: 'a', prefix: 'cw_k1', createdAt: '', lastUsedAt: null },
      ],
      revokeApiKey: async () => {
        throw new ApiError(404, null, 'This API key no longer exists.');
      },
    });
    await store.loadKeys();

    await store.revokeKey('k1');

    expect(store.keys()).toHaveLength(1);
    expect(store.keyActionError()).toBe('This API key no longer exists.');
  });

  it('should page through the ledger with the cursor when loading more', async () => {
    const ledger = vi
      .fn()
      .mockResolvedValueOnce({
        items: [{ id: 'l1', kind: 'grant', amount: 100, createdAt: '' }],
        nextCursor: 'n1',
      })
      .mockResolvedValueOnce({
        items: [{ id: 'l2', kind: 'reserve', amount: -50, createdAt: '' }],
        nextCursor: null,
      });
    const store = setup({ ledger });

    await store.loadLedger();
    await store.loadLedger();
    await store.loadLedger();

    expect(store.ledger().map((entry) => entry.id)).toEqual(['l1', 'l2']);
    expect(ledger).toHaveBeenCalledTimes(2);
    expect(ledger).toHaveBeenLastCalledWith('n1');
  });
});
