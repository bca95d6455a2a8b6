import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type Socket } from 'node:net';

/**
 * Addresses an image URL may not lead to unless private fetches are allowed: loopback, private,
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

export type FetchFailure =
  | 'invalid-url'
  | 'private-address'
  | 'unreachable'
  | 'timeout'
  | 'http-status'
  | 'too-many-redirects'
  | 'too-large';

/** Why a download failed, in a sentence that can be shown to whoever wrote the URL. */
export class ImageFetchError extends Error {
  constructor(
    readonly reason: FetchFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ImageFetchError';
  }
}

export interface ImageFetchOptions {
  /** Let URLs reach loopback and private networks (tests, the local stack). */
  allowPrivate: boolean;
  /** The whole download, redirects included, must end within this. */
  timeoutMs: number;
  maxRedirects: number;
  maxBytes: number;
}

export interface FetchedImage {
  bytes: Buffer;
  /** Where the bytes came from after redirects. */
  finalUrl: string;
}

const privateRefusal = (host: string, address: string) =>
  new ImageFetchError(
    'private-address',
    `${host} resolves to ${address}, a private, loopback or link-local address; only public addresses are fetched.`,
  );

/**
 * DNS resolution that drops private addresses, so the socket can only connect to a public one.
 * Net calls it with `all: true` (happy eyeballs); older callers want a single address.
 */
function guardedLookup(allowPrivate: boolean) {
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
      const usable = allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
      if (usable.length === 0) {
        return callback(privateRefusal(hostname, addresses[0].address), []);
      }
      if (options.all) return callback(null, usable);
      const first = usable[0];
      callback(null, first.address, first.family);
    });
  };
}

function unreachable(url: URL, error: NodeJS.ErrnoException): ImageFetchError {
  if (error instanceof ImageFetchError) return error;
  const why: Record<string, string> = {
    ENOTFOUND: 'its host name does not resolve',
    EAI_AGAIN: 'its host name could not be resolved',
    ECONNREFUSED: 'the connection was refused',
    ECONNRESET: 'the connection was reset',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    ETIMEDOUT: 'the connection timed out',
  };
  const reason =
    (error.code && why[error.code]) ||
    (error.code?.startsWith('ERR_TLS') || error.code?.includes('CERT')
      ? 'its TLS certificate was refused'
      : undefined);
  return new ImageFetchError(
    'unreachable',
    `${url.host} could not be reached: ${reason ?? error.code ?? error.message}.`,
  );
}

/**
 * Downloads an image over http(s) without letting the URL reach the inside of the network:
 * every hop (redirects are followed by hand, at most `maxRedirects`) is resolved through a lookup
 * that refuses private addresses, and the address the socket actually connected to is checked
 * again, which also covers IP-literal hosts that skip DNS. The body is streamed and abandoned as
 * soon as it passes `maxBytes` (a larger Content-Length is refused before any byte is read), and
 * one deadline covers every hop.
 */
export async function fetchImage(rawUrl: string, options: ImageFetchOptions): Promise<FetchedImage> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new ImageFetchError('invalid-url', 'it is not a valid URL.');
  }
  for (let redirects = 0; ; redirects++) {
    const hop = await requestOnce(url, options, signal);
    if (hop.kind === 'body') return { bytes: hop.bytes, finalUrl: url.toString() };
    if (redirects >= options.maxRedirects) {
      throw new ImageFetchError(
        'too-many-redirects',
        `it redirected more than ${options.maxRedirects} times.`,
      );
    }
    url = hop.location;
  }
}

type Hop = { kind: 'body'; bytes: Buffer } | { kind: 'redirect'; location: URL };

function requestOnce(url: URL, options: ImageFetchOptions, signal: AbortSignal): Promise<Hop> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(
      new ImageFetchError('invalid-url', `only http and https URLs are fetched, not ${url.protocol}`),
    );
  }
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivate && isIP(literal) && isPrivateAddress(literal)) {
    return Promise.reject(privateRefusal(url.hostname, literal));
  }
  if (signal.aborted) return Promise.reject(timedOut(options));

  return new Promise<Hop>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      request.destroy();
      reject(error);
    };
    const onAbort = () => fail(timedOut(options));
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'GET',
      // A fresh socket per request: a pooled one could have been opened to another address.
      agent: false,
      lookup: guardedLookup(options.allowPrivate) as never,
      headers: {
        accept: 'image/png, image/jpeg, image/webp;q=0.9, */*;q=0.1',
        'user-agent': 'CineWeave-API (image fetch for a VideoJob)',
      },
    });
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('socket', (socket: Socket) => {
      socket.once('connect', () => {
        const address = socket.remoteAddress ?? '';
        if (!options.allowPrivate && isPrivateAddress(address)) fail(privateRefusal(url.hostname, address));
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => fail(unreachable(url, error)));
    request.on('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && status !== 304) {
        response.resume();
        const location = response.headers.location;
        if (!location)
          return fail(new ImageFetchError('http-status', `it answered HTTP ${status} without a Location.`));
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return fail(new ImageFetchError('invalid-url', `it redirected to an invalid URL.`));
        }
        settled = true;
        signal.removeEventListener('abort', onAbort);
        request.destroy();
        return resolve({ kind: 'redirect', location: next });
      }
      if (status < 200 || status >= 300) {
        response.resume();
        return fail(
          new ImageFetchError(
            'http-status',
            `it answered HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}.`,
          ),
        );
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        return fail(tooLarge(options, declared));
      }
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > options.maxBytes) return fail(tooLarge(options));
        chunks.push(chunk);
      });
      response.on('error', (error: NodeJS.ErrnoException) => fail(unreachable(url, error)));
      const cutShort = () =>
        fail(new ImageFetchError('unreachable', `${url.host} closed the connection before the image ended.`));
      response.on('end', () => {
        if (settled) return;
        if (!response.complete) return cutShort();
        settled = true;
        signal.removeEventListener('abort', onAbort);
        resolve({ kind: 'body', bytes: Buffer.concat(chunks, received) });
      });
      response.on('close', () => {
        if (!settled) cutShort();
      });
    });
    request.end();
  });
}

const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

function tooLarge(options: ImageFetchOptions, declared?: number): ImageFetchError {
  return new ImageFetchError(
    'too-large',
    declared !== undefined
      ? `the image is ${mb(declared)}; the largest accepted is ${mb(options.maxBytes)}.`
      : `the image is larger than ${mb(options.maxBytes)}, the largest accepted.`,
  );
}

function timedOut(options: ImageFetchOptions): ImageFetchError {
  return new ImageFetchError('timeout', `the download did not finish within ${options.timeoutMs / 1000} s.`);
}
