import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import {
  type AddressPolicy,
  PrivateAddressError,
  guardedLookup,
  isAllowedAddress,
} from '../../core/net/address-guard.ts';

/** Kept here for callers and tests that know the guard through the image fetcher. */
export { isPrivateAddress } from '../../core/net/address-guard.ts';

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
  /** Private networks reachable anyway (SSRF_ALLOW_CIDRS). */
  allowList?: AddressPolicy['allowList'];
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
  new ImageFetchError('private-address', new PrivateAddressError(host, address).message);

function unreachable(url: URL, error: NodeJS.ErrnoException): ImageFetchError {
  if (error instanceof ImageFetchError) return error;
  if (error instanceof PrivateAddressError) return new ImageFetchError('private-address', error.message);
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
  if (isIP(literal) && !isAllowedAddress(literal, options)) {
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
      lookup: guardedLookup(options) as never,
      headers: {
        accept: 'image/png, image/jpeg, image/webp;q=0.9, */*;q=0.1',
        'user-agent': 'CineWeave-API (image fetch for a VideoJob)',
      },
    });
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('socket', (socket: Socket) => {
      socket.once('connect', () => {
        const address = socket.remoteAddress ?? '';
        if (!isAllowedAddress(address, options)) fail(privateRefusal(url.hostname, address));
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
