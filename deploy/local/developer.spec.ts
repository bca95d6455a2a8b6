import { describe, expect, it } from 'vitest';
import { localDeveloper } from './developer.ts';

describe(localDeveloper.name, () => {
  it('should sign in as developer with the namespace local when nothing is set', () => {
    expect(localDeveloper('')).toEqual({ userId: 'developer', namespace: 'local' });
  });

  it('should take CINEWEAVE_LOCAL_USER when it is a valid dev sign-in id', () => {
    expect(localDeveloper('ada@example.com').userId).toBe('ada@example.com');
  });

  it('should refuse an id the dev sign-in would refuse when it has spaces', () => {
    expect(() => localDeveloper('ada lovelace')).toThrow(/CINEWEAVE_LOCAL_USER/);
  });
});
