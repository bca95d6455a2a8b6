import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { CreatedInvitation, TeamInvitationView } from '@cineweave/contracts';
import { ApiError } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { SessionStore } from '../core/auth/session.store';
import { TeamPageStore } from './team-page.store';
import { aMember, aTeamView, STUDIO_ID } from './teams.fixture';

const pending: TeamInvitationView = {
  id: '00000000-0000-4000-8000-0000000000f6',
  email: null,
  role: 'member',
  invitedBy: 'owner-1',
  createdAt: '2026-12-05T10:00:00Z',
  expiresAt: '2026-12-12T10:00:00Z',
  status: 'pending',
};

const emptyUsage = {
  from: '2026-12-01',
  to: '2026-12-07',
  currency: 'USD' as const,
  gpuHourlyCostUsd: 1,
  items: [],
  totals: { jobs: 0, gpuSeconds: 0, credits: 0, costUsd: 0 },
};

function setup(api: Partial<CineweaveApi>, me = 'owner-1') {
  TestBed.configureTestingModule({
    providers: [
      TeamPageStore,
      { provide: CineweaveApi, useValue: { teamUsage: async () => emptyUsage, ...api } },
      { provide: SessionStore, useValue: { me: signal({ user: { id: me } }) } },
    ],
  });
  return TestBed.inject(TeamPageStore);
}

describe(TeamPageStore.name, () => {
  it('should load the team, members, pending invitations and usage when the caller is an admin', async () => {
    const teamInvitations = vi.fn(async () => [pending, { ...pending, id: 'x', status: 'revoked' as const }]);
    const store = setup({
      team: async () => aTeamView({ role: 'admin' }),
      teamMembers: async () => [aMember(), aMember({ userId: 'admin-2', role: 'admin' })],
      teamInvitations,
    });

    await store.load(STUDIO_ID);

    expect(store.canManage()).toBe(true);
    expect(store.members()).toHaveLength(2);
    expect(store.invitations()).toEqual([pending]);
    expect(teamInvitations).toHaveBeenCalledWith(STUDIO_ID);
    expect(store.usageDays()).toHaveLength(7);
  });

  it('should not ask for invitations and keep limits read-only when the caller is a member', async () => {
    const teamInvitations = vi.fn();
    const store = setup({
      team: async () => aTeamView({ role: 'member' }),
      teamMembers: async () => [aMember()],
      teamInvitations,
    });

    await store.load(STUDIO_ID);

    expect(store.canManage()).toBe(false);
    expect(teamInvitations).not.toHaveBeenCalled();
  });

  it('should refuse limits that are not whole numbers in range without calling the API', async () => {
    const updateTeamLimits = vi.fn();
    const store = setup({
      team: async () => aTeamView(),
      teamMembers: async () => [aMember()],
      teamInvitations: async () => [],
      updateTeamLimits,
    });
    await store.load(STUDIO_ID);

    const saved = await store.saveLimits({
      activeJobLimit: '0',
      monthlyCreditQuota: '12.5',
      memberMonthlyCap: '',
    });

    expect(saved).toBe(false);
    expect(updateTeamLimits).not.toHaveBeenCalled();
    expect(store.limitsErrors().activeJobLimit).toBe('Enter a number from 1 to 10,000.');
    expect(store.limitsErrors().monthlyCreditQuota).toMatch(/whole number/);
  });

  it('should send only the limits that changed and show the limits the API then reports', async () => {
    const updateTeamLimits = vi.fn(async () => undefined);
    const team = vi
      .fn()
      .mockResolvedValueOnce(aTeamView())
      .mockResolvedValueOnce(
        aTeamView({ limits: { activeJobLimit: 2, monthlyCreditQuota: null, memberMonthlyCap: null } }),
      );
    const store = setup({
      team,
      teamMembers: async () => [aMember()],
      teamInvitations: async () => [],
      updateTeamLimits,
    });
    await store.load(STUDIO_ID);

    await expect(
      store.saveLimits({ activeJobLimit: '2', monthlyCreditQuota: '', memberMonthlyCap: '' }),
    ).resolves.toBe(true);

    expect(updateTeamLimits).toHaveBeenCalledWith(STUDIO_ID, { activeJobLimit: 2, monthlyCreditQuota: null });
    expect(store.team()?.limits.activeJobLimit).toBe(2);
    expect(store.limitsMessage()?.tone).toBe('success');
  });

  it("should put the API's problem next to the limit it names", async () => {
    const store = setup({
      team: async () => aTeamView(),
      teamMembers: async () => [aMember()],
      teamInvitations: async () => [],
      updateTeamLimits: async () => {
        throw new ApiError(
          403,
          {
            type: 'x',
            title: 'Forbidden',
            status: 403,
            detail: 'Your role in team "Trailer studio" is member; this needs admin or above.',
            code: 'FORBIDDEN',
            errors: [{ field: 'memberMonthlyCap', message: 'is above the team quota' }],
          },
          'Your role in team "Trailer studio" is member; this needs admin or above.',
        );
      },
    });
    await store.load(STUDIO_ID);

    await store.saveLimits({ activeJobLimit: '', monthlyCreditQuota: '5000', memberMonthlyCap: '9000' });

    expect(store.limitsErrors().memberMonthlyCap).toBe('is above the team quota');
    expect(store.limitsMessage()).toEqual({
      tone: 'error',
      text: 'Your role in team "Trailer studio" is member; this needs admin or above.',
    });
  });

  it('should show the new invitation link once and list it as pending', async () => {
    const created: CreatedInvitation = { ...pending, token: 'tok', url: 'http://portal.test/invite/tok' };
    const createInvitation = vi.fn(async () => created);
    const store = setup({
      team: async () => aTeamView(),
      teamMembers: async () => [aMember()],
      teamInvitations: vi.fn().mockResolvedValueOnce([]).mockResolvedValueOnce([pending]),
      createInvitation,
    });
    await store.load(STUDIO_ID);

    await expect(store.invite({ email: ' ', role: 'member', expiresInDays: 7 })).resolves.toBe(true);

    expect(createInvitation).toHaveBeenCalledWith(STUDIO_ID, { role: 'member', expiresInDays: 7 });
    expect(store.created()?.url).toBe('http://portal.test/invite/tok');
    expect(store.invitations()).toEqual([pending]);
  });

  it('should refuse an invitation to something that is not an email address', async () => {
    const createInvitation = vi.fn();
    const store = setup({
      team: async () => aTeamView(),
      teamMembers: async () => [aMember()],
      teamInvitations: async () => [],
      createInvitation,
    });
    await store.load(STUDIO_ID);

    await expect(store.invite({ email: 'not-an-address', role: 'member', expiresInDays: 7 })).resolves.toBe(
      false,
    );

    expect(createInvitation).not.toHaveBeenCalled();
    expect(store.inviteErrors()['email']).toMatch(/email address/);
  });

  it("should show the API's refusal when the last owner tries to leave", async () => {
    const detail = 'You are the last owner of "Trailer studio": make someone else owner first.';
    const store = setup({
      team: async () => aTeamView(),
      teamMembers: async () => [aMember()],
      teamInvitations: async () => [],
      removeMember: async () => {
        throw new ApiError(409, null, detail);
      },
    });
    await store.load(STUDIO_ID);

    await expect(store.leave()).resolves.toBe(false);

    expect(store.actionError()).toBe(detail);
  });

  it("should change a member's role and show the members as the API then lists them", async () => {
    const updateMember = vi.fn(async () => undefined);
    const teamMembers = vi
      .fn()
      .mockResolvedValueOnce([aMember(), aMember({ userId: 'm2', role: 'member' })])
      .mockResolvedValueOnce([aMember(), aMember({ userId: 'm2', role: 'viewer' })]);
    const store = setup({
      team: async () => aTeamView(),
      teamMembers,
      teamInvitations: async () => [],
      updateMember,
    });
    await store.load(STUDIO_ID);

    await store.changeRole(store.members()[1], 'viewer');

    expect(updateMember).toHaveBeenCalledWith(STUDIO_ID, 'm2', 'viewer');
    expect(store.members()[1].role).toBe('viewer');
  });
});
