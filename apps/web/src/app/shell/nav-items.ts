import type { Permission } from '@tyto/contracts';

export interface NavItem {
  label: string;
  link: string;
  testId: string;
  // Shown only to users holding it; the route's permissionGuard checks the same permission.
  permission?: Permission;
  // Active only on this exact URL (the dashboard at `/` would match every page otherwise).
  exact?: boolean;
  group: 'monitor' | 'admin' | 'user';
}

// Every page of the main nav, in order. A new page is one entry here and one route.
export const NAV_ITEMS: readonly NavItem[] = [
  {
    label: 'Fleet',
    link: '/',
    testId: 'nav-dashboard',
    permission: 'dashboard:view',
    exact: true,
    group: 'monitor',
  },
  {
    label: 'Host',
    link: '/host/local',
    testId: 'nav-host',
    permission: 'dashboard:view',
    group: 'monitor',
  },
  {
    label: 'Agents',
    link: '/agents',
    testId: 'nav-agents',
    permission: 'agents:view',
    group: 'monitor',
  },
  {
    label: 'Processes',
    link: '/processes',
    testId: 'nav-processes',
    permission: 'processes:view',
    group: 'monitor',
  },
  {
    label: 'Alerts',
    link: '/alerts',
    testId: 'nav-alerts',
    permission: 'alerts:view',
    group: 'monitor',
  },
  { label: 'Logs', link: '/logs', testId: 'nav-logs', permission: 'logs:view', group: 'monitor' },
  { label: 'Users', link: '/users', testId: 'nav-users', permission: 'users:view', group: 'admin' },
  { label: 'Roles', link: '/roles', testId: 'nav-roles', permission: 'users:view', group: 'admin' },
  {
    label: 'API tokens',
    link: '/tokens',
    testId: 'nav-tokens',
    permission: 'tokens:manage',
    group: 'admin',
  },
  { label: 'Audit', link: '/audit', testId: 'nav-audit', permission: 'audit:view', group: 'admin' },
  { label: 'My account', link: '/account', testId: 'nav-account', group: 'user' },
];
