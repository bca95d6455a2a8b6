import { Injectable } from '@nestjs/common';
import { sign } from 'truelayer-signing';
import { z } from 'zod';
import { AppConfig } from '../../../core/config/app-config.ts';
import { DomainError } from '../../../core/errors/domain-error.ts';
import { type TrueLayerSettings, trueLayerSettings } from './truelayer-settings.ts';

const TokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().positive() });
const CreatedPaymentSchema = z.object({ id: z.string().min(1), resource_token: z.string().min(1) });
const PaymentSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  failure_reason: z.string().optional(),
});

export type ProviderPaymentStatus = z.infer<typeof PaymentSchema>;

export interface CreatePayment {
  /** Our payment id: the Idempotency-Key, so a retried create never makes a second payment. */
  idempotencyKey: string;
  amountMinor: number;
  user: { name: string; email?: string };
  reference: string;
}

/** A token is renewed this long before TrueLayer says it expires, so no request carries a dying one. */
const TOKEN_MARGIN_MS = 60_000;

/**
 * TrueLayer Payments API v3: client-credentials token (cached until shortly before expiry),
 * signed payment creation, payment status. Every failure becomes UPSTREAM_FAILED (502) with a
 * sentence saying what went wrong; secrets never appear in it.
 */
@Injectable()
export class TrueLayerClient {
  private readonly settings: TrueLayerSettings;
  private token: { value: string; expiresAt: number } | undefined;
  private pendingToken: Promise<string> | undefined;

  constructor(config: AppConfig) {
    this.settings = trueLayerSettings(config.env);
  }

  async createPayment(payment: CreatePayment): Promise<z.infer<typeof CreatedPaymentSchema>> {
    const path = '/v3/payments';
    const body = JSON.stringify({
      amount_in_minor: payment.amountMinor,
      currency: 'GBP',
      payment_method: {
        type: 'bank_transfer',
        provider_selection: { type: 'user_selected' },
        beneficiary: {
          type: 'merchant_account',
          merchant_account_id: this.settings.merchantAccountId,
          reference: payment.reference,
        },
      },
      user: { name: payment.user.name, ...(payment.user.email ? { email: payment.user.email } : {}) },
      metadata: { cineweave_payment_id: payment.idempotencyKey },
    });
    const signature = sign({
      kid: this.settings.signingKeyId,
      privateKeyPem: this.settings.signingPrivateKeyPem,
      path,
      headers: { 'Idempotency-Key': payment.idempotencyKey },
      body,
    });
    const response = await this.call('create the payment', `${this.settings.apiUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await this.accessToken()}`,
        'content-type': 'application/json',
        'idempotency-key': payment.idempotencyKey,
        'tl-signature': signature,
      },
      body,
    });
    return this.parse('create the payment', response, CreatedPaymentSchema);
  }

  async getPayment(providerPaymentId: string): Promise<ProviderPaymentStatus> {
    const url = `${this.settings.apiUrl}/v3/payments/${encodeURIComponent(providerPaymentId)}`;
    const response = await this.call('read the payment', url, {
      headers: { authorization: `Bearer ${await this.accessToken()}` },
    });
    return this.parse('read the payment', response, PaymentSchema);
  }

  /** The hosted payment page for a created payment; TrueLayer sends the payer back to `returnUri`. */
  hostedPaymentPageUrl(providerPaymentId: string, resourceToken: string): string {
    const fragment = new URLSearchParams({
      payment_id: providerPaymentId,
      resource_token: resourceToken,
      return_uri: this.settings.returnUri,
    });
    return `${this.settings.hppUrl}/payments#${fragment.toString()}`;
  }

  private accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) return Promise.resolve(this.token.value);
    // Concurrent checkouts share one token request.
    this.pendingToken ??= this.fetchToken().finally(() => {
      this.pendingToken = undefined;
    });
    return this.pendingToken;
  }

  private async fetchToken(): Promise<string> {
    const response = await this.call('obtain an access token', `${this.settings.authUrl}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.settings.clientId,
        client_secret: this.settings.clientSecret,
        scope: 'payments',
      }).toString(),
    });
    const token = await this.parse('obtain an access token', response, TokenSchema);
    this.token = {
      value: token.access_token,
      expiresAt: Date.now() + Math.max(0, token.expires_in * 1000 - TOKEN_MARGIN_MS),
    };
    return token.access_token;
  }

  private async call(what: string, url: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.settings.timeoutMs) });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new DomainError(
        'UPSTREAM_FAILED',
        timedOut
          ? `TrueLayer did not answer within ${this.settings.timeoutMs} ms when asked to ${what}; nothing was charged. Try again in a minute.`
          : `TrueLayer could not be reached to ${what}; nothing was charged. Try again in a minute.`,
      );
    }
    if (response.ok) return response;
    await response.body?.cancel();
    if (response.status === 401 && what !== 'obtain an access token') this.token = undefined;
    throw new DomainError(
      'UPSTREAM_FAILED',
      response.status >= 500
        ? `TrueLayer failed (HTTP ${response.status}) when asked to ${what}; nothing was charged. Try again in a minute.`
        : `TrueLayer refused to ${what} (HTTP ${response.status}); the deployment's TrueLayer settings need checking. Nothing was charged.`,
    );
  }

  private async parse<T extends z.ZodType>(
    what: string,
    response: Response,
    schema: T,
  ): Promise<z.output<T>> {
    const result = schema.safeParse(await response.json().catch(() => undefined));
    if (!result.success) {
      throw new DomainError(
        'UPSTREAM_FAILED',
        `TrueLayer answered in an unexpected shape when asked to ${what}.`,
      );
    }
    return result.data;
  }
}
