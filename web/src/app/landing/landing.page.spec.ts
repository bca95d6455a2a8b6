import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ListedPlan } from '@cineweave/contracts';
import { BillingApi, REDIRECT } from '../account/billing/billing-api';
import { ApiError } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { SessionStore } from '../core/auth/session.store';
import { PlatformConfigStore } from '../core/config/platform-config.store';
import { text } from '../testing/fake-api';
import { LandingPage } from './landing.page';

const SEEDED: ListedPlan[] = [
  {
    id: 'free',
    queueWeight: 1,
    name: 'Free',
    monthlyCredits: 100,
    activeJobLimit: null,
    effectiveActiveJobLimit: 5,
    priceMinor: 0,
    currency: 'GBP',
  },
  {
    id: 'starter',
    queueWeight: 2,
    name: 'Starter',
    monthlyCredits: 1000,
    activeJobLimit: 5,
    effectiveActiveJobLimit: 5,
    priceMinor: 900,
    currency: 'GBP',
  },
  {
    id: 'enterprise',
    queueWeight: 8,
    name: 'Enterprise',
    monthlyCredits: 50000,
    activeJobLimit: 50,
    effectiveActiveJobLimit: 50,
    priceMinor: null,
    currency: 'GBP',
  },
];

async function setup(
  plans: () => Promise<ListedPlan[]>,
  { payments = 'none', signedIn = false, checkout = vi.fn() } = {},
) {
  const redirect = vi.fn();
  TestBed.configureTestingModule({
    providers: [
      provideRouter([]),
      { provide: CineweaveApi, useValue: { plans } },
      { provide: SessionStore, useValue: { signedIn: signal(signedIn) } },
      {
        provide: PlatformConfigStore,
        useValue: { paymentsProvider: signal(payments), load: async () => null },
      },
      { provide: BillingApi, useValue: { checkout } },
      { provide: REDIRECT, useValue: redirect },
    ],
  });
  const fixture = TestBed.createComponent(LandingPage);
  await fixture.whenStable();
  await fixture.whenStable();
  return { element: fixture.nativeElement as HTMLElement, fixture, redirect };
}

const card = (element: HTMLElement, id: string) => element.querySelector(`#pricing [data-plan="${id}"]`);

describe(LandingPage.name, () => {
  it('should list plans cheapest first with their monthly credits and the limit in force when the API has them', async () => {
    const { element } = await setup(async () => [SEEDED[1]!, SEEDED[0]!]);

    const names = [...element.querySelectorAll('#pricing li h3')].map((heading) => text(heading));
    expect(names).toEqual(['Free', 'Starter']);
    expect(text(card(element, 'starter'))).toContain('1,000 credits every month');
    expect(text(card(element, 'free'))).toContain('5 videos rendering at once');
  });

  it('should explain that an administrator grants plans and offer no purchase when the install takes no payments', async () => {
    const { element } = await setup(async () => SEEDED);

    expect(text(element.querySelector('[data-testid="pricing-intro"]'))).toContain(
      'an administrator grants credits',
    );
    for (const id of ['starter', 'enterprise']) {
      expect(text(card(element, id))).toContain('an administrator grants this plan');
      expect(text(card(element, id))).not.toMatch(/£|Choose|Talk to us/);
      expect(card(element, id)?.querySelector('a, button')).toBeNull();
    }
    expect(card(element, 'free')?.querySelector('a')?.getAttribute('href')).toBe('/sign-up');
  });

  it('should start the checkout of a paid plan when payments are on and someone signed in chooses it', async () => {
    const checkout = vi.fn(async () => ({ paymentId: 'p', checkoutUrl: 'https://pay.example/hpp' }));
    const { element, fixture, redirect } = await setup(async () => SEEDED, {
      payments: 'truelayer',
      signedIn: true,
      checkout,
    });

    expect(text(card(element, 'starter'))).toContain('£9 / month');
    (card(element, 'starter')?.querySelector('button') as HTMLButtonElement).click();
    await fixture.whenStable();

    expect(checkout).toHaveBeenCalledWith({ planId: 'starter' });
    expect(redirect).toHaveBeenCalledWith('https://pay.example/hpp');
    expect(text(card(element, 'enterprise'))).toContain('Not sold online');
  });

  it('should send visitors to sign up and then to their account when payments are on and they choose a plan', async () => {
    const { element } = await setup(async () => SEEDED, { payments: 'truelayer' });

    expect(card(element, 'starter')?.querySelector('a')?.getAttribute('href')).toBe(
      '/sign-up?returnUrl=%2Faccount',
    );
  });

  it('should link See pricing to the pricing section of the landing page', async () => {
    const { element } = await setup(async () => []);

    const link = [...element.querySelectorAll('a')].find((anchor) => text(anchor) === 'See pricing');
    expect(link?.getAttribute('href')).toBe('/#pricing');
  });

  it('should show an empty state when no plans are published', async () => {
    const { element } = await setup(async () => []);

    expect(text(element.querySelector('#pricing'))).toContain('No plans published yet');
  });

  it('should explain and offer a retry when plans cannot be loaded', async () => {
    const { element } = await setup(async () => {
      throw ApiError.network('/v1/plans');
    });

    expect(text(element.querySelector('#pricing [role="alert"]'))).toContain(
      'Could not reach the CineWeave API',
    );
    expect(element.querySelector('#pricing button')?.textContent).toContain('Try again');
  });

  it('should invite visitors to sign up when nobody is signed in', async () => {
    const { element } = await setup(async () => []);

    expect(element.querySelector('a[href="/sign-up"]')).not.toBeNull();
  });
});
