import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { AuthTokens } from '../auth/auth-tokens';
import { SessionStore } from '../auth/session.store';
import { CreditsStore } from '../credits/credits.store';
import { text } from '../../testing/fake-api';
import { ShellComponent } from './shell.component';

async function setup({ status = 'signed-in', admin = false } = {}) {
  const credits = { available: signal(1240), startPolling: vi.fn(), clear: vi.fn() };
  TestBed.configureTestingModule({
    providers: [
      provideRouter([]),
      {
        provide: SessionStore,
        useValue: {
          start: async () => undefined,
          status: signal(status),
          signedIn: signal(status === 'signed-in'),
          isAdmin: signal(admin),
          error: signal(null),
          signOut: vi.fn(async () => undefined),
        },
      },
      { provide: CreditsStore, useValue: credits },
      { provide: AuthTokens, useValue: { sessionExpired: signal(false) } },
    ],
  });
  const fixture = TestBed.createComponent(ShellComponent);
  await fixture.whenStable();
  return { element: fixture.nativeElement as HTMLElement, credits };
}

describe(ShellComponent.name, () => {
  it('should show the available credits and follow them when signed in', async () => {
    const { element, credits } = await setup();

    expect(element.querySelector('[data-testid="credits-pill"]')?.getAttribute('aria-label')).toBe(
      'Available credits: 1,240',
    );
    expect(credits.startPolling).toHaveBeenCalled();
  });

  it('should hide the admin link when the person is not an admin', async () => {
    const { element } = await setup();

    expect(element.querySelector('nav a[href="/admin"]')).toBeNull();
    expect(element.querySelector('nav a[href="/jobs"]')).not.toBeNull();
  });

  it('should show the admin link when the person is an admin', async () => {
    const { element } = await setup({ admin: true });

    expect(element.querySelector('nav a[href="/admin"]')).not.toBeNull();
  });

  it('should offer sign-in and sign-up and stop following credits when signed out', async () => {
    const { element, credits } = await setup({ status: 'signed-out' });

    expect(element.querySelector('a[href="/sign-in"]')).not.toBeNull();
    expect(element.querySelector('a[href="/sign-up"]')).not.toBeNull();
    expect(credits.clear).toHaveBeenCalled();
  });

  it('should say why signing in is unavailable when the API is down', async () => {
    const { element } = await setup({ status: 'unavailable' });

    expect(text(element.querySelector('[role="alert"]'))).toContain(
      'The CineWeave API is not reachable right now.',
    );
  });
});
