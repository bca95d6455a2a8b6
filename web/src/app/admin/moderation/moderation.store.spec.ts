import { TestBed } from '@angular/core/testing';
import type { ModerationPolicyView } from '@cineweave/contracts';
import { ApiError } from '../../core/api/api-error';
import { CineweaveApi } from '../../core/api/cineweave-api';
import { ModerationStore } from './moderation.store';

const VIEW: ModerationPolicyView = {
  terms: ['volcano'],
  patterns: [],
  failMode: null,
  effectiveFailMode: 'closed',
  classifierConfigured: false,
  updatedAt: null,
};

function setup(api: Partial<CineweaveApi>) {
  TestBed.configureTestingModule({
    providers: [
      ModerationStore,
      {
        provide: CineweaveApi,
        useValue: {
          moderationPolicy: async () => VIEW,
          moderationDecisions: async () => ({ items: [], nextCursor: null }),
          ...api,
        },
      },
    ],
  });
  return TestBed.inject(ModerationStore);
}

describe(ModerationStore.name, () => {
  it('should save the policy and show it as the API answered', async () => {
    const updateModerationPolicy = vi.fn(async () => ({
      ...VIEW,
      failMode: 'open' as const,
      effectiveFailMode: 'open' as const,
    }));
    const store = setup({ updateModerationPolicy });
    await store.load();

    await expect(store.save({ terms: ['volcano'], patterns: [], failMode: 'open' })).resolves.toBe(true);

    expect(updateModerationPolicy).toHaveBeenCalledWith({
      terms: ['volcano'],
      patterns: [],
      failMode: 'open',
    });
    expect(store.policy()?.effectiveFailMode).toBe('open');
    expect(store.saved()).toBe(true);
  });

  it('should name the field the API refused and keep the loaded policy', async () => {
    const problem = {
      type: 't',
      title: 'Invalid',
      status: 400,
      detail: 'patterns.0 must be a valid regular expression',
      code: 'VALIDATION_FAILED' as const,
      errors: [{ field: 'patterns.0', message: 'must be a valid regular expression' }],
    };
    const store = setup({
      updateModerationPolicy: async () => {
        throw new ApiError(400, problem, problem.detail);
      },
    });
    await store.load();

    await expect(store.save({ terms: [], patterns: ['('], failMode: null })).resolves.toBe(false);

    expect(store.fieldErrors()['patterns']).toBe('must be a valid regular expression');
    expect(store.policy()).toEqual(VIEW);
    expect(store.saved()).toBe(false);
  });
});
