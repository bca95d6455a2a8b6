import { describe, expect, it } from 'vitest';
import { bindingChanged, bindingOf, legacyAnnotationMessage, noTeamMessage } from './namespace-binding.ts';

const TEAM = '0B9D4C3E-5A61-4F7E-9C2D-8E1F0A2B3C4D';

describe(bindingOf.name, () => {
  it('should prefer the team annotation, fall back to the legacy account one, and say when there is neither', () => {
    expect(bindingOf({ 'cineweave.io/team': TEAM, 'cineweave.io/account': 'u1' })).toEqual({
      kind: 'team',
      teamId: TEAM.toLowerCase(),
    });
    expect(bindingOf({ 'cineweave.io/account': 'u1' })).toEqual({ kind: 'legacy', userId: 'u1' });
    expect(bindingOf({ 'cineweave.io/team': 'studio' })).toEqual({ kind: 'malformed', value: 'studio' });
    expect(bindingOf({ 'cineweave.io/team': ' ' })).toEqual({ kind: 'none' });
    expect(bindingOf(undefined)).toEqual({ kind: 'none' });
  });

  it('should see a change only when the binding changes', () => {
    expect(bindingChanged({ other: 'a' }, { other: 'b' })).toBe(false);
    expect(bindingChanged(undefined, { 'cineweave.io/team': TEAM })).toBe(true);
    expect(bindingChanged({ 'cineweave.io/account': 'u' }, { 'cineweave.io/account': 'u', x: 'y' })).toBe(
      false,
    );
  });
});

describe('binding messages', () => {
  it('should name the exact kubectl commands', () => {
    expect(noTeamMessage('team-b')).toContain(
      'kubectl annotate namespace team-b cineweave.io/team=<team id>',
    );
    expect(legacyAnnotationMessage('team-a', 'u1', 'abc')).toContain(
      'kubectl annotate namespace team-a cineweave.io/team=abc && kubectl annotate namespace team-a cineweave.io/account-',
    );
  });
});
