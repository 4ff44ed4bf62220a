import type { Routes } from '@angular/router';
import { authGuard, permissionGuard } from './auth/auth.guard';
import { ForbiddenPage } from './shell/forbidden.page';
import { ShellPage } from './shell/shell.page';

export const appRoutes: Routes = [
  { path: 'login', loadChildren: () => import('./auth/auth.routes') },
  {
    path: '',
    component: ShellPage,
    canActivate: [authGuard],
    children: [
      {
        path: '',
        pathMatch: 'full',
        canActivate: [permissionGuard('dashboard:view')],
        loadChildren: () => import('./dashboard/dashboard.routes'),
      },
      { path: 'forbidden', component: ForbiddenPage, title: 'No access · Tyto' },
    ],
  },
  { path: '**', redirectTo: '' },
];
