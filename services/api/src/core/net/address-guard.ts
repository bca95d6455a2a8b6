import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses an outbound request (an image URL, a webhook) may not reach unless allowed: loopback, private,
 * link-local (cloud metadata lives at 169.254.169.254), carrier-grade NAT, multicast, reserved and
 * documentation ranges, and the IPv6 forms that tunnel to IPv4 (6to4, Teredo, NAT64 local use).
 * IPv6 forms that embed an IPv4 address (mapped, compatible, translated, NAT64) are judged by the
 * embedded address (embeddedIPv4).
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127], // unspecified and loopback
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** Whether an address is loopback, private, link-local or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true; // not an address at all: refuse rather than guess
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (BLOCKED.check(address, 'ipv6')) return true;
  // An IPv6 form that carries an IPv4 address reaches that address: judge it by the IPv4 rules.
  const embedded = embeddedIPv4(address);
  return embedded !== null && BLOCKED.check(embedded, 'ipv4');
}

/** The 8 hextets of an IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function hextets(address: string): number[] {
  let text = address.split('%')[0].toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The IPv4 address an IPv6 address embeds in its last 32 bits, for the forms that route to it:
 * IPv4-compatible (`::a.b.c.d`), IPv4-mapped (`::ffff:a.b.c.d`), IPv4-translated
 * (`::ffff:0:a.b.c.d`) and NAT64 (`64:ff9b::a.b.c.d`). 6to4 and Teredo are refused whole above.
 */
export function embeddedIPv4(address: string): string | null {
  const h = hextets(address);
  const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  const carries =
    (zeros(0, 6) && !(h[6] === 0 && h[7] <= 1)) || // compatible (:: and ::1 are not IPv4)
    (zeros(0, 5) && h[5] === 0xffff) || // mapped
    (zeros(0, 4) && h[4] === 0xffff && h[5] === 0) || // translated
    (h[0] === 0x64 && h[1] === 0xff9b && zeros(2, 6)); // NAT64 well-known prefix
  if (!carries) return null;
  return [h[6] >> 8, h[6] & 0xff, h[7] >> 8, h[7] & 0xff].join('.');
}

/**
 * Which private addresses outbound requests may still reach: all of them (`allowPrivate`, the
 * local stack), or only those inside the install-wide allow list (`SSRF_ALLOW_CIDRS`).
 */
export interface AddressPolicy {
  allowPrivate: boolean;
  allowList?: BlockList;
}

/** Whether a request may connect to this address under the policy. */
export function isAllowedAddress(address: string, policy: AddressPolicy): boolean {
  if (policy.allowPrivate || !isPrivateAddress(address)) return true;
  const family = isIP(address);
  return (
    family !== 0 &&
    policy.allowList !== undefined &&
    policy.allowList.check(address, family === 6 ? 'ipv6' : 'ipv4')
  );
}

/** Parses `10.0.0.0/8,127.0.0.1,fd00::/8` into a BlockList; throws on a bad entry (config validation). */
export function parseCidrList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [network, prefixText] = entry.split('/');
    const family = isIP(network ?? '');
    if (family === 0) throw new Error(`${entry} is not an IP address or CIDR`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    const max = family === 6 ? 128 : 32;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
      throw new Error(`${entry} has a bad prefix length`);
    list.addSubnet(network, prefix, type);
  }
  return list;
}

/** A refused address, with a sentence for whoever wrote the URL. */
export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      `${host} resolves to ${address}, a private, loopback or link-local address; only public addresses are reached.`,
    );
    this.name = 'PrivateAddressError';
  }
}

/**
 * DNS resolution that drops refused addresses, so the socket can only connect to an allowed one.
 * Net calls it with `all: true` (happy eyeballs); older callers want a single address. The caller
 * must still check the socket's remote address on `connect` (IP-literal hosts skip the lookup).
 */
export function guardedLookup(policy: AddressPolicy) {
  return (
    hostname: string,
    options: LookupAllOptions | { all?: boolean; family?: number },
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      if (addresses.length === 0) {
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      }
      const usable = addresses.filter((a) => isAllowedAddress(a.address, policy));
      if (usable.length === 0) {
        return callback(new PrivateAddressError(hostname, addresses[0].address), []);
      }
      if (options.all) return callback(null, usable);
      const first = usable[0];
      callback(null, first.address, first.family);
    });
  };
}

/** Every address a host name resolves to (or the literal itself); refused ones raise PrivateAddressError. */
export async function checkHostAllowed(hostname: string, policy: AddressPolicy): Promise<void> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    if (!isAllowedAddress(host, policy)) throw new PrivateAddressError(hostname, host);
    return;
  }
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(host, { all: true }, (error, found) => (error ? reject(error) : resolve(found))),
  );
  const refused = addresses.find((a) => !isAllowedAddress(a.address, policy));
  if (refused) throw new PrivateAddressError(hostname, refused.address);
}
