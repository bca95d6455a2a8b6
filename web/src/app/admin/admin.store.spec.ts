import { TestBed } from '@angular/core/testing';
import { ApiError } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { CreditsStore } from '../core/credits/credits.store';
import { AdminStore } from './admin.store';

function setup(api: Partial<CineweaveApi>) {
  TestBed.configureTestingModule({
    providers: [
      AdminStore,
      {
        provide: CineweaveApi,
        useValue: {
          adminUsers: async () => ({ items: [], nextCursor: null }),
          adminStats: async () => null,
          ...api,
        },
      },
      { provide: CreditsStore, useValue: { refresh: vi.fn(async () => undefined) } },
    ],
  });
  return TestBed.inject(AdminStore);
}

describe(AdminStore.name, () => {
  it('should send a trimmed grant and confirm it when the form is valid', async () => {
    const grantCredits = vi.fn(async () => ({
      balance: 500,
      reserved: 0,
      available: 500,
      plan: 'free' as const,
    }));
    const store = setup({ grantCredits });

    await expect(store.grant({ userId: ' alice ', amount: 500, reason: ' launch bonus ' })).resolves.toBe(
      true,
    );

    expect(grantCredits).toHaveBeenCalledWith({ userId: 'alice', amount: 500, reason: 'launch bonus' });
    expect(store.granted()).toBe('Granted 500 credits to alice.');
  });

  it('should not call the API and should name each problem when the form is incomplete', async () => {
    const grantCredits = vi.fn();
    const store = setup({ grantCredits });

    await expect(store.grant({ userId: '', amount: 1.5, reason: '' })).resolves.toBe(false);

    expect(grantCredits).not.toHaveBeenCalled();
    expect(Object.keys(store.grantFieldErrors())).toEqual(['userId', 'amount', 'reason']);
  });

  it('should show the API detail next to the field when the grant is refused', async () => {
    const problem = {
      type: 't',
      title: 'Not found',
      status: 404,
      detail: 'No user with id bob',
      code: 'NOT_FOUND' as const,
      errors: [{ field: 'userId', message: 'No user with id bob' }],
    };
    const store = setup({
      grantCredits: async () => {
        throw new ApiError(404, problem, problem.detail);
      },
    });

    await store.grant({ userId: 'bob', amount: 10, reason: 'test' });

    expect(store.grantError()).toBe('No user with id bob');
    expect(store.grantFieldErrors()['userId']).toBe('No user with id bob');
  });
});
