import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { ApiError } from '../core/api/api-error';
import type { Plan } from '../core/api/api-types';
import { CineweaveApi } from '../core/api/cineweave-api';
import { SessionStore } from '../core/auth/session.store';
import { text } from '../testing/fake-api';
import { LandingPage } from './landing.page';

async function setup(plans: () => Promise<Plan[]>) {
  TestBed.configureTestingModule({
    providers: [
      provideRouter([]),
      { provide: CineweaveApi, useValue: { plans } },
      { provide: SessionStore, useValue: { signedIn: signal(false) } },
    ],
  });
  const fixture = TestBed.createComponent(LandingPage);
  await fixture.whenStable();
  await fixture.whenStable();
  return fixture.nativeElement as HTMLElement;
}

describe(LandingPage.name, () => {
  it('should list plans cheapest first with their monthly credits when the API has them', async () => {
    const element = await setup(async () => [
      {
        id: 'pro',
        name: 'Pro',
        monthlyCredits: 10000,
        activeJobLimit: 10,
        priceMinor: 7900,
        currency: 'GBP',
      },
      { id: 'free', name: 'Free', monthlyCredits: 200, activeJobLimit: null, priceMinor: 0, currency: 'GBP' },
    ]);

    const names = [...element.querySelectorAll('#pricing li h3')].map((heading) => text(heading));
    expect(names).toEqual(['Free', 'Pro']);
    expect(text(element.querySelector('#pricing'))).toContain('£79 / month');
    expect(text(element.querySelector('#pricing'))).toContain('10,000 credits every month');
  });

  it('should show an empty state when no plans are published', async () => {
    const element = await setup(async () => []);

    expect(text(element.querySelector('#pricing'))).toContain('No plans published yet');
  });

  it('should explain and offer a retry when plans cannot be loaded', async () => {
    const element = await setup(async () => {
      throw ApiError.network('/v1/plans');
    });

    expect(text(element.querySelector('#pricing [role="alert"]'))).toContain(
      'Could not reach the CineWeave API',
    );
    expect(element.querySelector('#pricing button')?.textContent).toContain('Try again');
  });

  it('should invite visitors to sign up when nobody is signed in', async () => {
    const element = await setup(async () => []);

    expect(element.querySelector('a[href="/sign-up"]')).not.toBeNull();
  });
});
