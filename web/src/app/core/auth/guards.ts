import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';
import { SessionStore } from './session.store';

/** Pages that need an account send visitors to sign in, then bring them back. */
export const signedInGuard: CanActivateFn = async (_route, state) => {
  const session = inject(SessionStore);
  const router = inject(Router);
  await session.start();
  return session.signedIn()
    ? true
    : router.createUrlTree(['/sign-in'], { queryParams: { returnUrl: state.url } });
};

/** The admin area exists only for admins; everyone else lands on their dashboard. */
export const adminGuard: CanActivateFn = async (_route, state) => {
  const session = inject(SessionStore);
  const router = inject(Router);
  await session.start();
  if (!session.signedIn())
    return router.createUrlTree(['/sign-in'], { queryParams: { returnUrl: state.url } });
  return session.isAdmin() ? true : router.createUrlTree(['/dashboard']);
};

/** Signed-in people who open /sign-in go straight to where they were heading. */
export const signedOutGuard: CanActivateFn = async (route) => {
  const session = inject(SessionStore);
  const router = inject(Router);
  await session.start();
  return session.signedIn() ? router.parseUrl(safeReturnUrl(route.queryParamMap.get('returnUrl'))) : true;
};

/** Only same-site paths: a crafted `returnUrl` must not send anyone to another site. */
export function safeReturnUrl(value: string | null | undefined): string {
  return value && value.startsWith('/') && !value.startsWith('//') ? value : '/dashboard';
}
