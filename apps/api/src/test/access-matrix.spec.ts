import {
  hasPermission,
  PERMISSIONS,
  SYSTEM_ROLE_DEFINITIONS,
  type Permission,
} from '@tyto/contracts';
import type { Access } from '../common/access.decorator';
import { createRole, createUser, USER_PASSWORD } from './api';
import { DB_KINDS, startHub, type TestHub } from './hub';
import { listRoutes, type RouteInfo } from './routes';

/** A custom role mixing a resource wildcard with exact grants. */
const CUSTOM_GRANTS = ['alerts:*', 'users:view', 'dashboard:view'];

interface Caller {
  name: string;
  /** Role to sign in with; null: no token at all. */
  role: string | null;
  grants: readonly string[];
}

const CALLERS: Caller[] = [
  { name: 'anonymous', role: null, grants: [] },
  { name: 'viewer', role: 'viewer', grants: SYSTEM_ROLE_DEFINITIONS.viewer.permissions },
  { name: 'operator', role: 'operator', grants: SYSTEM_ROLE_DEFINITIONS.operator.permissions },
  { name: 'admin', role: 'admin', grants: SYSTEM_ROLE_DEFINITIONS.admin.permissions },
  { name: 'custom', role: 'matrix-custom', grants: CUSTOM_GRANTS },
];

type Expectation = 'not 401' | 'allowed' | 401 | 403;

/** What the guard must answer: the whole point of the matrix. */
function expectationFor(access: Access, caller: Caller): Expectation {
  if (access === 'public') return 'not 401';
  if (caller.role === null) return 401;
  if (access === 'session') return 'allowed';
  return hasPermission(caller.grants, access) ? 'allowed' : 403;
}

function meets(status: number, want: Expectation): boolean {
  switch (want) {
    case 'not 401':
      return status !== 401;
    case 'allowed':
      return status !== 401 && status !== 403;
    case 401:
    case 403:
      return status === want;
  }
}

/** Path parameters get a value that names nothing, so no route acts on real data. */
const concretePath = (path: string) => path.replace(/:[A-Za-z_]+/g, 'matrix-dummy-0');

describe.each(DB_KINDS)('route access matrix on %s', (kind) => {
  let hub: TestHub;
  const tokens = new Map<string, string>();

  const login = async (caller: Caller) => {
    const username = caller.role === 'admin' ? 'admin' : `m-${caller.name}`;
    const token = await hub.login(username, caller.role === 'admin' ? undefined : USER_PASSWORD);
    tokens.set(caller.name, token);
    return token;
  };

  beforeAll(async () => {
    hub = await startHub(kind);
    const admin = await hub.login();
    const custom = await createRole(hub, admin, {
      name: 'Matrix Custom',
      permissions: CUSTOM_GRANTS,
    });
    expect(custom.id).toBe('matrix-custom');
    for (const c of CALLERS) {
      if (c.role === null || c.role === 'admin') continue;
      await createUser(hub, admin, { username: `m-${c.name}`, roles: [c.role] });
    }
    for (const c of CALLERS) if (c.role !== null) await login(c);
  });
  afterAll(async () => {
    await hub.close();
  });

  /**
   * One request as the caller. Writes carry `{}`, which every write route refuses or treats as a
   * no-op, and ids that name nothing; streams are cut off once the headers are in.
   */
  async function call(route: RouteInfo, caller: Caller): Promise<number> {
    const write = !['GET', 'HEAD'].includes(route.method);
    const token = caller.role === null ? undefined : tokens.get(caller.name);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 10_000);
    try {
      const res = await hub.fetch(concretePath(route.path), {
        method: route.method,
        token,
        json: write ? {} : undefined,
        signal: abort.signal,
      });
      abort.abort();
      return res.status;
    } finally {
      clearTimeout(timer);
      // A write such as logout may have ended the caller's session: sign in again for the next.
      if (write && token && (await hub.fetch('/api/v1/auth/me', { token })).status === 401) {
        await login(caller);
      }
    }
  }

  it('declares the documented access on the account, user, role, audit, token and metrics routes', () => {
    const declared = Object.fromEntries(
      listRoutes(hub.app).map((r) => [`${r.method} ${r.path}`, r.access]),
    );
    expect(declared).toMatchObject({
      'POST /api/v1/auth/login': 'public',
      'POST /api/v1/auth/register': 'public',
      'POST /api/v1/auth/logout': 'session',
      'GET /api/v1/auth/me': 'session',
      'PUT /api/v1/auth/me': 'session',
      'PUT /api/v1/auth/me/password': 'session',
      'GET /api/v1/users': 'users:view',
      'GET /api/v1/users/:id': 'users:view',
      'POST /api/v1/users': 'users:manage',
      'PUT /api/v1/users/:id': 'users:manage',
      'DELETE /api/v1/users/:id': 'users:manage',
      'PUT /api/v1/users/:id/password': 'users:manage',
      'GET /api/v1/roles': 'users:view',
      'POST /api/v1/roles': 'roles:manage',
      'PUT /api/v1/roles/:id': 'roles:manage',
      'DELETE /api/v1/roles/:id': 'roles:manage',
      'GET /api/v1/audit': 'audit:view',
      'POST /api/v1/tokens': 'session',
      'GET /api/v1/tokens': 'session',
      'DELETE /api/v1/tokens/:id': 'session',
      'GET /api/v1/admin/tokens': 'tokens:manage',
      'DELETE /api/v1/admin/tokens/:id': 'tokens:manage',
      'GET /metrics': 'metrics:scrape',
      'GET /api/v1/auth/providers': 'public',
      'GET /api/v1/auth/oidc/login': 'public',
      'GET /api/v1/auth/oidc/callback': 'public',
      'GET /api/v1/processes': 'processes:view',
      'GET /api/v1/processes/:pid': 'processes:view',
      'POST /api/v1/processes/:pid/signal': 'processes:signal',
      'GET /api/v1/alerts': 'alerts:view',
      'GET /api/v1/alerts/stream': 'alerts:view',
      'POST /api/v1/alerts/config': 'alerts:manage',
      'POST /api/v1/alerts/:id/acknowledge': 'alerts:acknowledge',
      'GET /api/v1/alerts/rules': 'alerts:view',
      'POST /api/v1/alerts/rules': 'alerts:manage',
      'DELETE /api/v1/alerts/rules/:id': 'alerts:manage',
      'GET /api/v1/alerts/silences': 'alerts:view',
      'POST /api/v1/alerts/silences': 'alerts:manage',
      'DELETE /api/v1/alerts/silences/:id': 'alerts:manage',
      'GET /api/v1/alerts/channels': 'alerts:manage',
      'POST /api/v1/alerts/channels': 'alerts:manage',
      'PUT /api/v1/alerts/channels/:id': 'alerts:manage',
      'DELETE /api/v1/alerts/channels/:id': 'alerts:manage',
      'POST /api/v1/alerts/channels/:id/test': 'alerts:manage',
      'GET /api/v1/agents': 'agents:view',
      'POST /api/v1/agents': 'agents:manage',
      'GET /api/v1/agents/ca': 'agents:view',
      'GET /api/v1/agents/pending': 'agents:view',
      'POST /api/v1/agents/pending/:id/approve': 'agents:manage',
      'POST /api/v1/agents/pending/:id/reject': 'agents:manage',
      'GET /api/v1/agents/:id': 'agents:view',
      'DELETE /api/v1/agents/:id': 'agents:manage',
      'POST /api/v1/agents/:id/revoke': 'agents:manage',
      'GET /downloads/tyto-agent.js': 'public',
      'GET /downloads/install.sh': 'public',
      'GET /api/v1/logs': 'logs:view',
      'GET /api/v1/logs/stream': 'logs:view',
      'GET /api/v1/logs/histogram': 'logs:view',
    });
  });

  it('answers every route with what its declared access demands, for every caller', async () => {
    const allowed = new Set<string>(['public', 'session', ...PERMISSIONS]);
    const wrong: string[] = [];
    for (const route of listRoutes(hub.app)) {
      if (route.access === undefined || !allowed.has(route.access)) {
        wrong.push(`${route.method} ${route.path}: declares no valid access`);
        continue;
      }
      for (const caller of CALLERS) {
        const want = expectationFor(route.access, caller);
        const status = await call(route, caller).catch((e: unknown) => `error ${String(e)}`);
        if (typeof status !== 'number' || !meets(status, want)) {
          wrong.push(
            `${caller.name} ${route.method} ${route.path} (${route.access}): got ${status}, want ${want}`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses with the error shape naming the permission', async () => {
    const res = await hub.fetch('/api/v1/audit', { token: tokens.get('operator') });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: expect.any(String),
      code: 'FORBIDDEN',
      details: { required: 'audit:view' satisfies Permission },
    });
  });
});
