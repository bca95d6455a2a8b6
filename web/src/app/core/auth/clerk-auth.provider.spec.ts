import { clerkFrontendApi } from './clerk-auth.provider';

describe('clerkFrontendApi', () => {
  it('should decode the Frontend API host when the publishable key is valid', () => {
    const key = `pk_test_${btoa('clever-fox-12.clerk.accounts.dev$')}`;
    expect(clerkFrontendApi(key)).toBe('clever-fox-12.clerk.accounts.dev');
  });

  it('should refuse a key when it does not encode a host', () => {
    expect(() => clerkFrontendApi('pk_test_bm90LWEta2V5')).toThrow(/not valid/);
  });
});
