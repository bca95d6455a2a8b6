import { bearer, devToken } from './auth-token';

describe('devToken', () => {
  it('should spell a user token when the user is not an admin', () => {
    expect(devToken('alice')).toBe('dev:alice');
  });

  it('should add the admin role when asked', () => {
    expect(devToken(' root ', true)).toBe('dev:root:admin');
  });

  it('should refuse a user id when it contains a colon', () => {
    expect(() => devToken('a:admin')).toThrow(/letters, digits/);
  });

  it('should prefix the Bearer scheme when building a header', () => {
    expect(bearer('dev:alice')).toBe('Bearer dev:alice');
  });
});
