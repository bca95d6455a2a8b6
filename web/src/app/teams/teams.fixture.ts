import type { TeamMemberView, TeamSummary, TeamView } from '@cineweave/contracts';

export const PERSONAL_ID = '00000000-0000-4000-8000-000000000001';
export const STUDIO_ID = '00000000-0000-4000-8000-0000000000a2';

/** A team as `GET /v1/teams` lists it. */
export function aTeam(overrides: Partial<TeamSummary> = {}): TeamSummary {
  return {
    id: PERSONAL_ID,
    name: 'Personal',
    personal: true,
    organization: null,
    plan: 'free',
    role: 'owner',
    isDefault: true,
    ...overrides,
  };
}

export const studio = (overrides: Partial<TeamSummary> = {}) =>
  aTeam({
    id: STUDIO_ID,
    name: 'Trailer studio',
    personal: false,
    isDefault: false,
    organization: { id: '00000000-0000-4000-8000-0000000000b1', name: 'Trailer studio' },
    ...overrides,
  });

/** `GET /v1/teams/:id`. */
export function aTeamView(overrides: Partial<TeamView> = {}): TeamView {
  return {
    ...studio(),
    createdAt: '2026-12-01T09:00:00Z',
    limits: { activeJobLimit: null, monthlyCreditQuota: 5000, memberMonthlyCap: null },
    effectiveActiveJobLimit: 3,
    credits: { balance: 1200, reserved: 50, available: 1150, plan: 'free' },
    month: { periodStart: '2026-12-01T00:00:00Z', resetsAt: '2027-01-01T00:00:00Z', credits: 300 },
    memberCount: 2,
    ...overrides,
  };
}

export function aMember(overrides: Partial<TeamMemberView> = {}): TeamMemberView {
  return {
    userId: 'owner-1',
    email: null,
    role: 'owner',
    source: 'manual',
    joinedAt: '2026-12-01T09:00:00Z',
    creditsThisMonth: 0,
    ...overrides,
  };
}
