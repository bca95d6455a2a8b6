import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { BillingCatalogue, PaymentView } from '@cineweave/contracts';
import { ApiError } from '../../core/api/api-error';
import { PlatformConfigStore } from '../../core/config/platform-config.store';
import { text } from '../../testing/fake-api';
import { BillingApi, REDIRECT } from './billing-api';
import { BillingComponent } from './billing.component';

const CATALOGUE: BillingCatalogue = {
  packs: [{ id: 'pack-2000', name: '2,000 credits', credits: 2000, priceMinor: 1800, currency: 'GBP' }],
  plans: [
    { id: 'pro', name: 'Pro', monthlyCredits: 5000, activeJobLimit: 10, priceMinor: 2900, currency: 'GBP' },
  ],
};

const SETTLED: PaymentView = {
  id: '3f0c7c2e-52c5-4d7e-9d0e-5d7a3d1c2b10',
  product: { kind: 'pack', packId: 'pack-2000' },
  status: 'settled',
  amountMinor: 1800,
  currency: 'GBP',
  credits: 2000,
  failureReason: null,
  createdAt: '2026-11-24T04:00:00.000Z',
  settledAt: '2026-11-24T04:01:00.000Z',
};

async function setup(provider: string, api: Partial<BillingApi>) {
  const redirect = vi.fn();
  TestBed.configureTestingModule({
    providers: [
      {
        provide: PlatformConfigStore,
        useValue: { paymentsProvider: signal(provider), load: async () => null },
      },
      { provide: BillingApi, useValue: api },
      { provide: REDIRECT, useValue: redirect },
    ],
  });
  const fixture = TestBed.createComponent(BillingComponent);
  await fixture.whenStable();
  fixture.detectChanges();
  await fixture.whenStable();
  return { fixture, element: fixture.nativeElement as HTMLElement, redirect };
}

describe(BillingComponent.name, () => {
  it('should render nothing and ask the API nothing when the deployment takes no payments', async () => {
    const catalogue = vi.fn();
    const { element } = await setup('none', { catalogue, payments: vi.fn() });

    expect(element.querySelector('[data-testid="billing"]')).toBeNull();
    expect(catalogue).not.toHaveBeenCalled();
  });

  it('should list plans and packs with their GBP prices and the payment history when payments are on', async () => {
    const { element } = await setup('truelayer', {
      catalogue: async () => CATALOGUE,
      payments: async () => ({ items: [SETTLED], nextCursor: null }),
    });

    expect(text(element.querySelector('[data-testid="billing-plans"]'))).toContain(
      '£29 / month · 5,000 credits',
    );
    const pack = text(element.querySelector('[data-testid="billing-packs"] li'));
    expect(pack).toContain('2,000 credits');
    expect(pack).toContain('£18');
    const row = text(element.querySelector('[data-testid="billing-payments"] tbody tr'));
    expect(row).toContain('2,000 credits');
    expect(row).toContain('£18');
    expect(row).toContain('Complete');
  });

  it('should create the payment and leave for the payment page when a pack is bought', async () => {
    const checkout = vi.fn(async () => ({
      payment: SETTLED,
      checkoutUrl: 'https://payment.truelayer-sandbox.com/payments#x',
    }));
    const { element, redirect } = await setup('truelayer', {
      catalogue: async () => CATALOGUE,
      payments: async () => ({ items: [], nextCursor: null }),
      checkout,
    });

    (element.querySelector('[data-testid="billing-packs"] button') as HTMLButtonElement).click();
    await vi.waitFor(() =>
      expect(redirect).toHaveBeenCalledWith('https://payment.truelayer-sandbox.com/payments#x'),
    );
    expect(checkout).toHaveBeenCalledWith({ packId: 'pack-2000' });
  });

  it('should explain and stay on the page when the checkout cannot start', async () => {
    const { fixture, element, redirect } = await setup('truelayer', {
      catalogue: async () => CATALOGUE,
      payments: async () => ({ items: [], nextCursor: null }),
      checkout: async () => {
        throw new ApiError(
          502,
          null,
          'TrueLayer failed (HTTP 503) when asked to create the payment; nothing was charged.',
        );
      },
    });

    (element.querySelector('[data-testid="billing-plans"] button') as HTMLButtonElement).click();
    await vi.waitFor(() => {
      fixture.detectChanges();
      expect(text(element.querySelector('[role="alert"]'))).toContain('nothing was charged');
    });
    expect(redirect).not.toHaveBeenCalled();
    expect(
      (element.querySelector('[data-testid="billing-plans"] button') as HTMLButtonElement).disabled,
    ).toBe(false);
  });
});
