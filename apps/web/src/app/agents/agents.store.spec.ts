import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Agent, PendingEnrollment } from '@tyto/contracts';
import { AgentsStore } from './agents.store';

function agent(id: string, status: Agent['status'] = 'online', name = id): Agent {
  return {
    id,
    name,
    hostname: null,
    status,
    architecture: null,
    os: null,
    version: '0.1.0',
    last_seen: null,
    registered_at: '2026-01-15T10:00:00.000Z',
    certificate_expires_at: null,
    certificate_serial: null,
    revoked_at: null,
    address: null,
    builtin: id === 'local',
  };
}

const request: PendingEnrollment = {
  id: 'req-1',
  agent_id: 'db-1',
  name: 'Database',
  hostname: 'db-1',
  os: 'Linux',
  architecture: 'x64',
  version: '0.1.0',
  address: '127.0.0.1',
  public_key_fingerprint: 'sha256:ab',
  requested_at: '2026-01-15T10:00:00.000Z',
  expires_at: '2026-01-16T10:00:00.000Z',
};

describe(AgentsStore.name, () => {
  let store: AgentsStore;
  let backend: HttpTestingController;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [AgentsStore, provideHttpClient(), provideHttpClientTesting()],
    });
    store = TestBed.inject(AgentsStore);
    backend = TestBed.inject(HttpTestingController);
    const loaded = store.load();
    backend
      .expectOne('/api/v1/agents')
      .flush({ agents: [agent('web-1', 'online', 'Web'), agent('local')] });
    backend.expectOne('/api/v1/agents/pending').flush({ pending: [request] });
    await loaded;
  });

  afterEach(() => backend.verify());

  it('lists local first, then by name, and the pending requests', () => {
    expect(store.loaded()).toBe(true);
    expect(store.agents().map((a) => a.id)).toEqual(['local', 'web-1']);
    expect(store.pending()).toEqual([request]);
  });

  it('adds a host and keeps its install line', async () => {
    const done = store.create({ id: 'new-1', name: 'New' });
    const req = backend.expectOne({ method: 'POST', url: '/api/v1/agents' });
    expect(req.request.body).toEqual({ id: 'new-1', name: 'New' });
    req.flush({
      agent: agent('new-1', 'pending', 'New'),
      enrollment_token: 't',
      expires_at: '2026-01-16T10:00:00.000Z',
      command: 'curl … --id new-1',
    });
    expect(await done).toBe(true);
    expect(store.created()?.command).toBe('curl … --id new-1');
    expect(store.agents().map((a) => a.id)).toContain('new-1');
  });

  it('shows a taken id in the form instead of adding', async () => {
    const done = store.create({ id: 'web-1', name: 'Again' });
    backend
      .expectOne({ method: 'POST', url: '/api/v1/agents' })
      .flush(
        { error: 'Agent id web-1 is taken', code: 'AGENT_EXISTS', details: {} },
        { status: 409, statusText: 'Conflict' },
      );
    expect(await done).toBe(false);
    expect(store.createError()).toBe('Agent id web-1 is taken');
    expect(store.created()).toBeNull();
  });

  it('approves a request: it leaves the pending list and its agent joins the list', async () => {
    const done = store.approve(request);
    expect(store.busy()).toBe('approve:req-1');
    backend
      .expectOne({ method: 'POST', url: '/api/v1/agents/pending/req-1/approve' })
      .flush({ id: 'req-1', agent_id: 'db-1', status: 'approved', agent: agent('db-1') });
    expect(await done).toBe(true);
    expect(store.pending()).toEqual([]);
    expect(store.agents().map((a) => a.id)).toEqual(['local', 'db-1', 'web-1']);
    expect(store.busy()).toBeNull();
  });

  it('rejects a request', async () => {
    const done = store.reject(request);
    backend
      .expectOne({ method: 'POST', url: '/api/v1/agents/pending/req-1/reject' })
      .flush({ id: 'req-1', agent_id: 'db-1', status: 'rejected', agent: null });
    expect(await done).toBe(true);
    expect(store.pending()).toEqual([]);
  });

  it('revokes an agent and shows it revoked', async () => {
    const done = store.revoke(agent('web-1', 'online', 'Web'));
    backend
      .expectOne({ method: 'POST', url: '/api/v1/agents/web-1/revoke' })
      .flush(agent('web-1', 'revoked', 'Web'));
    expect(await done).toBe(true);
    expect(store.agents().find((a) => a.id === 'web-1')?.status).toBe('revoked');
    expect(store.notice()).toContain('Web revoked');
  });

  it('deletes an agent; a failed delete keeps it', async () => {
    const failed = store.remove(agent('web-1'));
    backend
      .expectOne({ method: 'DELETE', url: '/api/v1/agents/web-1' })
      .flush({ error: 'x', code: 'INTERNAL', details: {} }, { status: 500, statusText: 'x' });
    expect(await failed).toBe(false);
    expect(store.agents().map((a) => a.id)).toContain('web-1');

    const done = store.remove(agent('web-1'));
    backend.expectOne({ method: 'DELETE', url: '/api/v1/agents/web-1' }).flush(null);
    expect(await done).toBe(true);
    expect(store.agents().map((a) => a.id)).toEqual(['local']);
  });
});
