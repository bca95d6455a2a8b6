import type { Routes } from '@angular/router';

export const JOBS_ROUTES: Routes = [
  {
    path: '',
    title: 'My videos · CineWeave',
    loadComponent: () => import('./jobs-list.page').then((m) => m.JobsListPage),
  },
  {
    path: ':id',
    title: 'Video · CineWeave',
    loadComponent: () => import('./job-detail.page').then((m) => m.JobDetailPage),
  },
];
