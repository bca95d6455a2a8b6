import { describe, expect, it } from 'vitest';
import { PrivateAddressError, checkHostAllowed, isAllowedAddress, parseCidrList } from './address-guard.ts';

describe(isAllowedAddress.name, () => {
  const allowList = parseCidrList(['10.42.0.0/16', '127.0.0.1', 'fd00:1::/32']);

  it('should allow public addresses and refuse private ones when nothing is allowed', () => {
    expect(isAllowedAddress('93.184.215.14', { allowPrivate: false })).toBe(true);
    for (const address of ['127.0.0.1', '10.42.1.1', '169.254.169.254', '::1', '::ffff:10.0.0.1']) {
      expect(isAllowedAddress(address, { allowPrivate: false })).toBe(false);
    }
  });

  it('should allow only the private networks of the allow list', () => {
    expect(isAllowedAddress('10.42.7.9', { allowPrivate: false, allowList })).toBe(true);
    expect(isAllowedAddress('127.0.0.1', { allowPrivate: false, allowList })).toBe(true);
    expect(isAllowedAddress('fd00:1::5', { allowPrivate: false, allowList })).toBe(true);
    expect(isAllowedAddress('10.43.0.1', { allowPrivate: false, allowList })).toBe(false);
    expect(isAllowedAddress('127.0.0.2', { allowPrivate: false, allowList })).toBe(false);
    expect(isAllowedAddress('169.254.169.254', { allowPrivate: false, allowList })).toBe(false);
  });

  it('should allow everything when private addresses are allowed', () => {
    expect(isAllowedAddress('169.254.169.254', { allowPrivate: true })).toBe(true);
  });
});

describe(parseCidrList.name, () => {
  it('should refuse entries that are not addresses or have a bad prefix', () => {
    expect(() => parseCidrList(['example.com'])).toThrow(/not an IP address/);
    expect(() => parseCidrList(['10.0.0.0/33'])).toThrow(/prefix/);
    expect(() => parseCidrList(['fd00::/129'])).toThrow(/prefix/);
  });
});

describe(checkHostAllowed.name, () => {
  it('should refuse a host name that resolves to loopback unless the allow list covers it', async () => {
    await expect(checkHostAllowed('localhost', { allowPrivate: false })).rejects.toBeInstanceOf(
      PrivateAddressError,
    );
    await expect(checkHostAllowed('[::1]', { allowPrivate: false })).rejects.toBeInstanceOf(
      PrivateAddressError,
    );
    await expect(
      checkHostAllowed('localhost', {
        allowPrivate: false,
        allowList: parseCidrList(['127.0.0.0/8', '::1']),
      }),
    ).resolves.toBeUndefined();
  });
});
