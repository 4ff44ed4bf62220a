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
      {
        path: 'host',
        canActivate: [permissionGuard('dashboard:view')],
        loadChildren: () => import('./host/host.routes'),
      },
      {
        path: 'users',
        canActivate: [permissionGuard('users:view')],
        loadChildren: () => import('./users/users.routes'),
      },
      // Listing roles needs users:view on the hub too; writing them needs roles:manage.
      {
        path: 'roles',
        canActivate: [permissionGuard('users:view')],
        loadChildren: () => import('./roles/roles.routes'),
      },
      {
        path: 'audit',
        canActivate: [permissionGuard('audit:view')],
        loadChildren: () => import('./audit/audit.routes'),
      },
      {
        path: 'logs',
        canActivate: [permissionGuard('logs:view')],
        loadChildren: () => import('./logs/logs.routes'),
      },
      { path: 'account', loadChildren: () => import('./account/account.routes') },
      { path: 'forbidden', component: ForbiddenPage, title: 'No access · Tyto' },
    ],
  },
  { path: '**', redirectTo: '' },
];
