import { TestBed } from '@angular/core/testing';
import { signal } from '@angular/core';
import type { InvitationPreview } from '@cineweave/contracts';
import { ApiError } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { InvitationStore } from './invitation.store';
import { TeamsStore } from './teams.store';
import { STUDIO_ID, studio } from './teams.fixture';

const preview: InvitationPreview = {
  team: { id: STUDIO_ID, name: 'Trailer studio' },
  organization: null,
  role: 'member',
  invitedBy: 'owner-1',
  expiresAt: '2026-12-12T10:00:00Z',
  status: 'pending',
};

function setup(api: Partial<CineweaveApi>, join: TeamsStore['join'] = vi.fn()) {
  TestBed.configureTestingModule({
    providers: [
      InvitationStore,
      { provide: CineweaveApi, useValue: api },
      { provide: TeamsStore, useValue: { join, teams: signal([]) } },
    ],
  });
  return TestBed.inject(InvitationStore);
}

const refusal = (status: number, detail: string) => new ApiError(status, null, detail);

describe(InvitationStore.name, () => {
  it('should show what the link invites to and join the team when accepted', async () => {
    const join = vi.fn(async () => studio({ role: 'member' }));
    const store = setup({ invitation: async () => preview }, join);

    await store.load('tok');
    const joined = await store.accept('tok');

    expect(store.preview()?.team.name).toBe('Trailer studio');
    expect(store.closedReason()).toBeNull();
    expect(join).toHaveBeenCalledWith('tok');
    expect(joined?.id).toBe(STUDIO_ID);
  });

  it('should say in words that an invitation was revoked or has expired', async () => {
    const revoked = setup({ invitation: async () => ({ ...preview, status: 'revoked' }) });
    await revoked.load('tok');
    expect(revoked.closedReason()).toBe(
      'This invitation was withdrawn by the team. Ask owner-1 for a new one.',
    );

    TestBed.resetTestingModule();
    const expired = setup({ invitation: async () => ({ ...preview, status: 'expired' }) });
    await expired.load('tok');
    expect(expired.closedReason()).toMatch(/^This invitation expired/);
  });

  it('should explain a link that is not valid', async () => {
    const store = setup({
      invitation: async () => {
        throw refusal(404, 'This invitation does not exist.');
      },
    });

    await store.load('tok');

    expect(store.problem()?.heading).toBe('This invitation link is not valid');
    expect(store.problem()?.message).toMatch(/Check that the whole link was copied/);
  });

  it('should name the address an invitation was sent to when someone else accepts it', async () => {
    const detail = 'This invitation was sent to ana@example.com; sign in as that address to accept it.';
    const store = setup({ invitation: async () => preview }, async () => {
      throw refusal(403, detail);
    });
    await store.load('tok');

    await expect(store.accept('tok')).resolves.toBeNull();

    expect(store.problem()).toEqual({ heading: 'This invitation is for someone else', message: detail });
  });

  it('should say an invitation expired when accepting answers 410', async () => {
    const store = setup({ invitation: async () => preview }, async () => {
      throw refusal(410, 'This invitation expired on 12 Dec.');
    });
    await store.load('tok');

    await store.accept('tok');

    expect(store.problem()?.heading).toBe('This invitation has expired');
  });
});
