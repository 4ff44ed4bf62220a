import type { Routes } from '@angular/router';
import { authGuard, permissionGuard } from './auth/auth.guard';
import { PRELOAD } from './core/preload-start-pages';
import { ForbiddenPage } from './shell/forbidden.page';
import { ShellPage } from './shell/shell.page';

export const appRoutes: Routes = [
  { path: 'login', loadChildren: () => import('./auth/auth.routes') },
  {
    path: '',
    component: ShellPage,
    canActivate: [authGuard],
    children: [
      // The start page is the fleet overview; the single-host dashboard of `local` moved here.
      {
        path: '',
        pathMatch: 'full',
        canActivate: [permissionGuard('dashboard:view')],
        loadChildren: () => import('./fleet/fleet.routes'),
        data: PRELOAD,
      },
      {
        path: 'dashboard',
        canActivate: [permissionGuard('dashboard:view')],
        loadChildren: () => import('./dashboard/dashboard.routes'),
        data: PRELOAD,
      },
      {
        path: 'host',
        canActivate: [permissionGuard('dashboard:view')],
        loadChildren: () => import('./host/host.routes'),
        data: PRELOAD,
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
        path: 'tokens',
        canActivate: [permissionGuard('tokens:manage')],
        loadChildren: () => import('./tokens/tokens.routes'),
      },
      {
        path: 'processes',
        canActivate: [permissionGuard('processes:view')],
        loadChildren: () => import('./processes/processes.routes'),
      },
      {
        path: 'alerts',
        canActivate: [permissionGuard('alerts:view')],
        loadChildren: () => import('./alerts/alerts.routes'),
      },
      {
        path: 'agents',
        canActivate: [permissionGuard('agents:view')],
        loadChildren: () => import('./agents/agents.routes'),
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
