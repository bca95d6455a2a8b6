import { Injectable, InjectionToken, inject } from '@angular/core';
import { DOCUMENT } from '@angular/common';
import type {
  BillingCatalogue,
  CheckoutRequest,
  CheckoutResponse,
  Page,
  PaymentView,
} from '@cineweave/contracts';
import { ApiClient } from '../../core/api/api-client';

/** Leaves the portal for the payment page; a token so tests can watch instead of navigating. */
export const REDIRECT = new InjectionToken<(url: string) => void>('REDIRECT', {
  providedIn: 'root',
  factory: () => {
    const location = inject(DOCUMENT).location;
    return (url: string) => location.assign(url);
  },
});

/** `/v1/billing/*`: typed with the contracts the API validates against. */
@Injectable({ providedIn: 'root' })
export class BillingApi {
  private readonly client = inject(ApiClient);

  catalogue(): Promise<BillingCatalogue> {
    return this.client.get('/v1/billing/catalogue', { anonymous: true });
  }

  checkout(request: CheckoutRequest): Promise<CheckoutResponse> {
    return this.client.post('/v1/billing/checkout', request);
  }

  payments(cursor: string | null = null): Promise<Page<PaymentView>> {
    return this.client.get('/v1/billing/payments', { query: { cursor, limit: 20 } });
  }

  payment(id: string): Promise<PaymentView> {
    return this.client.get(`/v1/billing/payments/${encodeURIComponent(id)}`);
  }
}
