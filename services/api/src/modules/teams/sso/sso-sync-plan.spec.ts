import { describe, expect, it } from 'vitest';
import { grantedTeams, planSync } from './sso-sync-plan.ts';

const A = 'team-a';
const B = 'team-b';

describe(grantedTeams.name, () => {
  const mappings = [
    { group: 'editors', teamId: A, role: 'member' as const },
    { group: 'leads', teamId: A, role: 'admin' as const },
    { group: 'studio', teamId: B, role: 'viewer' as const },
  ];

  it('should grant the strongest mapped role when several groups name one team', () => {
    expect(grantedTeams(mappings, ['editors', 'leads'])).toEqual(new Map([[A, 'admin']]));
    expect(grantedTeams(mappings, ['leads', 'editors'])).toEqual(new Map([[A, 'admin']]));
  });

  it('should ignore groups that no mapping names', () => {
    expect(grantedTeams(mappings, ['marketing', 'studio'])).toEqual(new Map([[B, 'viewer']]));
    expect(grantedTeams(mappings, [])).toEqual(new Map());
  });
});

describe(planSync.name, () => {
  it('should add, change and remove sso memberships to match the granted teams', () => {
    expect(
      planSync(new Map([[A, 'admin']]), [
        { teamId: A, role: 'member', source: 'sso' },
        { teamId: B, role: 'viewer', source: 'sso' },
      ]),
    ).toEqual({
      add: [],
      change: [{ teamId: A, from: 'member', to: 'admin' }],
      remove: [{ teamId: B, role: 'viewer' }],
    });
    expect(planSync(new Map([[A, 'member']]), [])).toEqual({
      add: [{ teamId: A, role: 'member' }],
      change: [],
      remove: [],
    });
  });

  it('should leave manual, invitation and personal memberships alone, granted or not', () => {
    const held = [
      { teamId: A, role: 'viewer' as const, source: 'manual' as const },
      { teamId: B, role: 'member' as const, source: 'invitation' as const },
      { teamId: 'own', role: 'owner' as const, source: 'personal' as const },
    ];
    expect(planSync(new Map([[A, 'admin']]), held)).toEqual({ add: [], change: [], remove: [] });
    expect(planSync(new Map(), held)).toEqual({ add: [], change: [], remove: [] });
  });
});
