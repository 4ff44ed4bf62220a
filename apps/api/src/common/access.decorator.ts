import { SetMetadata } from '@nestjs/common';
import type { Permission } from '@tyto/contracts';

/**
 * Who may call a route: `'public'` (no session), `'session'` (any signed-in user, e.g. their own
 * account) or one catalogue permission. Every route declares exactly one; the guard refuses a
 * route that declares none, and the route matrix test fails on it.
 */
export type Access = 'public' | 'session' | Permission;

export const ACCESS_KEY = 'tyto:access';

export const Auth = (access: Access) => SetMetadata(ACCESS_KEY, access);
