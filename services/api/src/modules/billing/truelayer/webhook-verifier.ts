import { Injectable, Logger } from '@nestjs/common';
import { type HttpMethod, extractJku, verify } from 'truelayer-signing';
import { AppConfig } from '../../../core/config/app-config.ts';
import { DomainError } from '../../../core/errors/domain-error.ts';
import { type TrueLayerSettings, trueLayerSettings } from './truelayer-settings.ts';

/** A webhook older (or further in the future) than this is refused: a replay, or a clock far off. */
export const WEBHOOK_TOLERANCE_MS = 5 * 60_000;
/** Keys rotate rarely; a kid we have not seen triggers one early refetch, at most this often. */
const JWKS_TTL_MS = 15 * 60_000;
const JWKS_REFETCH_MS = 60_000;

export interface WebhookRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

const unverified = (why: string) =>
  new DomainError('UNAUTHENTICATED', `The webhook could not be verified: ${why}. Nothing was changed.`);

/**
 * Verifies TrueLayer's `Tl-Signature` (JWS, ES512) over the raw body, the path and the signed
 * headers, `X-Tl-Webhook-Timestamp` required among them. Keys come only from an allow-listed
 * `jku`; anything else is refused before a request leaves this process.
 */
@Injectable()
export class WebhookVerifier {
  private readonly logger = new Logger(WebhookVerifier.name);
  private readonly settings: TrueLayerSettings;
  private readonly jwks = new Map<string, { body: string; fetchedAt: number }>();

  constructor(config: AppConfig) {
    this.settings = trueLayerSettings(config.env);
  }

  async verify(request: WebhookRequest, now = Date.now()): Promise<void> {
    const signature = header(request.headers, 'tl-signature');
    if (!signature) throw unverified('the Tl-Signature header is missing');
    let jku: string | undefined;
    try {
      jku = extractJku(signature);
    } catch {
      throw unverified('the Tl-Signature header is not a TrueLayer signature');
    }
    if (!jku || !this.settings.jkuAllowlist.includes(jku)) {
      this.logger.warn({ jku }, 'Refused a webhook signed with a key from outside the allow-list');
      throw unverified('its signing key is not from an allow-listed jku');
    }

    const headers = flatHeaders(request.headers);
    const check = (jwks: string) =>
      verify({
        jwks,
        signature,
        method: 'POST' as HttpMethod,
        path: request.path,
        body: request.rawBody.toString('utf8'),
        headers,
        requiredHeaders: ['X-Tl-Webhook-Timestamp'],
      });
    try {
      check(await this.keys(jku, false));
    } catch (error) {
      if (error instanceof DomainError) throw error;
      // A rotated key: fetch once more before refusing.
      const refreshed = await this.keys(jku, true);
      try {
        check(refreshed);
      } catch {
        throw unverified('the signature does not match the body, path and headers');
      }
    }

    // Only a verified timestamp is worth reading: the signature covers it.
    const timestamp = Date.parse(header(request.headers, 'x-tl-webhook-timestamp') ?? '');
    if (Number.isNaN(timestamp)) throw unverified('X-Tl-Webhook-Timestamp is not a date');
    if (Math.abs(now - timestamp) > WEBHOOK_TOLERANCE_MS) {
      throw unverified(`it was sent more than ${WEBHOOK_TOLERANCE_MS / 60_000} minutes from now`);
    }
  }

  private async keys(jku: string, refresh: boolean): Promise<string> {
    const cached = this.jwks.get(jku);
    const age = cached ? Date.now() - cached.fetchedAt : Infinity;
    if (cached && (refresh ? age < JWKS_REFETCH_MS : age < JWKS_TTL_MS)) return cached.body;
    let body: string;
    try {
      const response = await fetch(jku, { signal: AbortSignal.timeout(this.settings.timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.text();
      JSON.parse(body);
    } catch (error) {
      this.logger.warn({ jku, error: (error as Error).message }, 'Could not fetch TrueLayer webhook keys');
      if (cached) return cached.body;
      // Not the sender's fault: a non-2xx makes TrueLayer deliver again later.
      throw new DomainError(
        'SERVICE_UNAVAILABLE',
        'The webhook signing keys could not be fetched to verify this webhook; deliver it again later.',
      );
    }
    this.jwks.set(jku, { body, fetchedAt: Date.now() });
    return body;
  }
}

function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function flatHeaders(headers: WebhookRequest['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
