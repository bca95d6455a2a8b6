import { describe, expect, it } from 'vitest';
import { clerkOrganizationGroups, groupValues, groupsFrom } from './groups-claim.ts';

describe(groupValues.name, () => {
  it('should read an array of names, sorted and without repeats, when the IdP sends a list', () => {
    expect(groupValues(['studio', 'editors', 'studio', ' leads '])).toEqual(['editors', 'leads', 'studio']);
  });

  it('should split a string on spaces and commas when the IdP sends one string', () => {
    expect(groupValues('editors studio,leads ,  ')).toEqual(['editors', 'leads', 'studio']);
  });

  it('should answer no groups when the claim is absent or of another shape', () => {
    expect(groupValues(undefined)).toEqual([]);
    expect(groupValues({ editors: true })).toEqual([]);
    expect(groupValues([1, null, { name: 'x' }, 'ok'])).toEqual(['ok']);
  });

  it('should drop names longer than any group name and stop at 500 groups', () => {
    expect(groupValues(['x'.repeat(257), 'short'])).toEqual(['short']);
    expect(groupValues(Array.from({ length: 900 }, (_, i) => `g${i}`))).toHaveLength(500);
  });
});

describe(clerkOrganizationGroups.name, () => {
  it('should name the active organization by id and slug, each with the role, when the token is v2', () => {
    expect(
      clerkOrganizationGroups({ v: 2, o: { id: 'org_1', slg: 'acme', rol: 'admin', per: 'x' } }),
    ).toEqual(['acme', 'acme:admin', 'org_1', 'org_1:admin']);
  });

  it('should read v1 claims and drop their org: role prefix, so one mapping fits both versions', () => {
    expect(clerkOrganizationGroups({ org_id: 'org_1', org_slug: 'acme', org_role: 'org:member' })).toEqual([
      'acme',
      'acme:member',
      'org_1',
      'org_1:member',
    ]);
  });

  it('should answer no groups when no organization is active', () => {
    expect(clerkOrganizationGroups({ v: 2 })).toEqual([]);
  });
});

describe(groupsFrom.name, () => {
  it('should read only the configured claim, and organization only for Clerk', () => {
    const payload = { groups: ['a'], roles: ['b'], organization: ['c'], o: { id: 'org_1' } };
    expect(groupsFrom(payload, 'groups', false)).toEqual(['a']);
    expect(groupsFrom(payload, 'organization', false)).toEqual(['c']);
    expect(groupsFrom(payload, 'organization', true)).toEqual(['org_1']);
    expect(groupsFrom(payload, 'toString', false)).toEqual([]);
  });
});
