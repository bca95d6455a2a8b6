import type { Routes } from '@angular/router';
import { adminGuard, signedInGuard, signedOutGuard } from './core/auth/guards';

export const routes: Routes = [
  {
    path: '',
    pathMatch: 'full',
    title: 'CineWeave — cinematic AI video on your own GPUs',
    loadComponent: () => import('./landing/landing.page').then((m) => m.LandingPage),
  },
  {
    path: 'sign-in',
    title: 'Sign in · CineWeave',
    canActivate: [signedOutGuard],
    data: { mode: 'sign-in' },
    loadComponent: () => import('./auth/sign-in.page').then((m) => m.SignInPage),
  },
  {
    path: 'sign-up',
    title: 'Create your account · CineWeave',
    canActivate: [signedOutGuard],
    data: { mode: 'sign-up' },
    loadComponent: () => import('./auth/sign-in.page').then((m) => m.SignInPage),
  },
  {
    path: 'auth/callback',
    title: 'Signing in · CineWeave',
    loadComponent: () => import('./auth/oidc-callback.page').then((m) => m.OidcCallbackPage),
  },
  {
    path: 'dashboard',
    title: 'Dashboard · CineWeave',
    canActivate: [signedInGuard],
    loadComponent: () => import('./dashboard/dashboard.page').then((m) => m.DashboardPage),
  },
  {
    path: 'create',
    title: 'Create a video · CineWeave',
    canActivate: [signedInGuard],
    loadComponent: () => import('./create/create.page').then((m) => m.CreatePage),
  },
  {
    path: 'jobs',
    canActivate: [signedInGuard],
    loadChildren: () => import('./jobs/jobs.routes').then((m) => m.JOBS_ROUTES),
  },
  {
    path: 'account/billing/return',
    title: 'Payment · CineWeave',
    canActivate: [signedInGuard],
    loadComponent: () => import('./account/billing/payment-status.page').then((m) => m.PaymentStatusPage),
  },
  {
    path: 'account/webhooks',
    title: 'Webhooks · CineWeave',
    canActivate: [signedInGuard],
    loadComponent: () => import('./account/webhooks/webhooks.page').then((m) => m.WebhooksPage),
  },
  {
    path: 'account',
    title: 'Account · CineWeave',
    canActivate: [signedInGuard],
    loadComponent: () => import('./account/account.page').then((m) => m.AccountPage),
  },
  {
    path: 'teams/new',
    title: 'Create a team · CineWeave',
    canActivate: [signedInGuard],
    loadComponent: () => import('./teams/create-team.page').then((m) => m.CreateTeamPage),
  },
  {
    path: 'teams/:id',
    title: 'Team · CineWeave',
    canActivate: [signedInGuard],
    loadComponent: () => import('./teams/team.page').then((m) => m.TeamPage),
  },
  {
    // Open to everyone: the page itself asks a signed-out visitor to sign in, then brings them back.
    path: 'invite/:token',
    title: 'Team invitation · CineWeave',
    loadComponent: () => import('./teams/invitation.page').then((m) => m.InvitationPage),
  },
  {
    path: 'admin/moderation',
    title: 'Moderation · CineWeave',
    canActivate: [adminGuard],
    loadComponent: () => import('./admin/moderation/moderation.page').then((m) => m.ModerationPage),
  },
  {
    path: 'admin/audit',
    title: 'Audit log · CineWeave',
    canActivate: [adminGuard],
    loadComponent: () => import('./admin/audit/audit.page').then((m) => m.AuditPage),
  },
  {
    path: 'admin',
    title: 'Admin · CineWeave',
    canActivate: [adminGuard],
    loadComponent: () => import('./admin/admin.page').then((m) => m.AdminPage),
  },
  {
    path: '**',
    title: 'Not found · CineWeave',
    loadComponent: () => import('./landing/not-found.page').then((m) => m.NotFoundPage),
  },
];
