import { WEBHOOK_LOG_BODY_BYTES } from '@cineweave/contracts';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import {
  type AddressPolicy,
  PrivateAddressError,
  guardedLookup,
  isAllowedAddress,
} from '../../core/net/address-guard.ts';
import type { SignedMessage } from './webhook-signing.ts';

/** What one attempt to deliver came to, as the delivery log records it. */
export interface SendOutcome {
  succeeded: boolean;
  responseStatus: number | null;
  latencyMs: number;
  /** The first WEBHOOK_LOG_BODY_BYTES of the answer. */
  responseBody: string | null;
  error: string | null;
}

export interface SendOptions {
  policy: AddressPolicy;
  timeoutMs: number;
}

/**
 * POSTs one signed message. The SSRF guard runs on the connection itself: the host name is
 * resolved through a lookup that drops refused addresses, and the address the socket actually
 * connected to is checked again before a byte is written (IP-literal hosts skip DNS; a DNS answer
 * could change between the check at creation and now). Redirects are not followed: Standard
 * Webhooks counts only a 2xx as delivered. Only the first bytes of the answer are read.
 */
export function sendWebhook(
  target: string,
  message: SignedMessage,
  options: SendOptions,
): Promise<SendOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failed = (
    error: string,
    responseStatus: number | null = null,
    responseBody: string | null = null,
  ) => ({
    succeeded: false,
    responseStatus,
    latencyMs: elapsed(),
    responseBody,
    error,
  });
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve(failed('the URL is not valid'));
  }
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !isAllowedAddress(literal, options.policy)) {
    return Promise.resolve(failed(new PrivateAddressError(url.hostname, literal).message));
  }

  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(outcome);
    };
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'POST',
      // A fresh socket per attempt: a pooled one could have been opened to another address.
      agent: false,
      lookup: guardedLookup(options.policy) as never,
      headers: {
        ...message.headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(message.body),
        'user-agent': 'CineWeave-Webhooks/1',
      },
    });
    const timer = setTimeout(
      () => finish(failed(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    request.on('socket', (socket: Socket) => {
      socket.once('connect', () => {
        const address = socket.remoteAddress ?? '';
        if (!isAllowedAddress(address, options.policy)) {
          finish(failed(new PrivateAddressError(url.hostname, address).message));
        }
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish(failed(error instanceof PrivateAddressError ? error.message : describe(error)));
    });
    request.on('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let kept = 0;
      const done = () => {
        const body = Buffer.concat(chunks).subarray(0, WEBHOOK_LOG_BODY_BYTES).toString('utf8');
        const ok = status >= 200 && status < 300;
        finish({
          succeeded: ok,
          responseStatus: status,
          latencyMs: elapsed(),
          responseBody: body,
          error: ok ? null : `answered HTTP ${status}`,
        });
      };
      response.on('data', (chunk: Buffer) => {
        if (kept < WEBHOOK_LOG_BODY_BYTES) {
          chunks.push(chunk);
          kept += chunk.length;
        }
        // Enough for the log: stop reading what could be an endless body.
        if (kept >= WEBHOOK_LOG_BODY_BYTES) done();
      });
      response.on('end', done);
      response.on('error', done);
    });
    // The guard on `connect` runs before this body is flushed: net writes only once connected.
    request.end(message.body);
  });
}

function describe(error: NodeJS.ErrnoException): string {
  const why: Record<string, string> = {
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name could not be resolved',
    ECONNREFUSED: 'the connection was refused',
    ECONNRESET: 'the connection was reset',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    ETIMEDOUT: 'the connection timed out',
  };
  return (error.code && why[error.code]) ?? error.message;
}
