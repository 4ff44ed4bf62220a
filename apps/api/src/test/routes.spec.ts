import { PERMISSIONS } from '@tyto/contracts';
import { listRoutes } from './routes';
import { startHub, type TestHub } from './hub';

describe('route access declarations', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub('sqlite');
  });
  afterAll(async () => {
    await hub.close();
  });

  it('finds the routes of every controller', () => {
    const paths = listRoutes(hub.app).map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /health',
        'POST /api/v1/auth/login',
        'GET /api/v1/stream',
        'GET /api/v1/agents',
        'GET /api/v1/agents/ca',
        'GET /api/v1/logs',
        'GET /api/v1/logs/stream',
        'GET /api/v1/logs/histogram',
      ]),
    );
  });

  it('has every route declare public, session or a catalogue permission', () => {
    const allowed = new Set<string>(['public', 'session', ...PERMISSIONS]);
    const undeclared = listRoutes(hub.app).filter(
      (r) => r.access === undefined || !allowed.has(r.access),
    );
    expect(undeclared.map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`)).toEqual(
      [],
    );
  });
});
