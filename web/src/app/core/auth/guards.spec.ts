import { TestBed } from '@angular/core/testing';
import {
  type ActivatedRouteSnapshot,
  Router,
  type RouterStateSnapshot,
  type UrlTree,
  provideRouter,
} from '@angular/router';
import { signal } from '@angular/core';
import { adminGuard, safeReturnUrl, signedInGuard } from './guards';
import { SessionStore } from './session.store';

function run(
  guard: typeof signedInGuard,
  session: { signedIn: boolean; isAdmin?: boolean },
  url = '/create',
) {
  TestBed.configureTestingModule({
    providers: [
      provideRouter([]),
      {
        provide: SessionStore,
        useValue: {
          start: async () => undefined,
          signedIn: signal(session.signedIn),
          isAdmin: signal(!!session.isAdmin),
        },
      },
    ],
  });
  return TestBed.runInInjectionContext(() =>
    guard({} as ActivatedRouteSnapshot, { url } as RouterStateSnapshot),
  ) as Promise<boolean | UrlTree>;
}

describe('guards', () => {
  it('should send a visitor to sign in with a return URL when a page needs an account', async () => {
    const result = await run(signedInGuard, { signedIn: false });
    expect(TestBed.inject(Router).serializeUrl(result as UrlTree)).toBe('/sign-in?returnUrl=%2Fcreate');
  });

  it('should let a signed-in person through when a page needs an account', async () => {
    await expect(run(signedInGuard, { signedIn: true })).resolves.toBe(true);
  });

  it('should send a non-admin to the dashboard when they open the admin area', async () => {
    const result = await run(adminGuard, { signedIn: true, isAdmin: false }, '/admin');
    expect(TestBed.inject(Router).serializeUrl(result as UrlTree)).toBe('/dashboard');
  });

  it('should let an admin into the admin area', async () => {
    await expect(run(adminGuard, { signedIn: true, isAdmin: true }, '/admin')).resolves.toBe(true);
  });

  it('should refuse a return URL when it points to another site', () => {
    expect(safeReturnUrl('//evil.example/x')).toBe('/dashboard');
    expect(safeReturnUrl('https://evil.example')).toBe('/dashboard');
    expect(safeReturnUrl('/jobs/1')).toBe('/jobs/1');
  });
});
