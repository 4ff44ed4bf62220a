import { TestBed } from '@angular/core/testing';
import type {
  Agent,
  Alert,
  AlertEvent,
  AlertListResponse,
  MeResponse,
  Permission,
} from '@tyto/contracts';
import type { Observable } from 'rxjs';
import { Subject, defer, of } from 'rxjs';
import { snapshotSample } from '../../testing/metrics-sample';
import { AlertBellStore } from '../alerts/alert-bell.store';
import { AlertsApi } from '../alerts/alerts.api';
import { AuthApi } from '../auth/auth.api';
import { AuthStore } from '../auth/auth.store';
import type { StreamEvent } from '../core/metrics-stream';
import type { FleetFrame } from './fleet.api';
import { FleetApi } from './fleet.api';
import type { SparkPoint } from './fleet-model';
import { AGENTS_REFRESH_MS, FleetStore } from './fleet.store';

function agent(id: string, status: Agent['status']): Agent {
  return {
    id,
    name: id.toUpperCase(),
    hostname: null,
    status,
    architecture: null,
    os: null,
    version: null,
    last_seen: null,
    registered_at: '2026-01-15T10:00:00.000Z',
    certificate_expires_at: null,
    certificate_serial: null,
    revoked_at: null,
    address: null,
    builtin: id === 'local',
  };
}

function alert(id: string, agentId: string, resolved = false): Alert {
  return {
    id,
    type: 'memory',
    level: 'warning',
    value: 91,
    threshold: 85,
    agent_id: agentId,
    subject: '',
    message: `Memory 91% ≥ 85% on ${agentId}`,
    created_at: '2026-01-15T10:30:00.000Z',
    updated_at: '2026-01-15T10:30:00.000Z',
    resolved_at: resolved ? '2026-01-15T10:31:00.000Z' : null,
    acknowledged: false,
    acknowledged_at: null,
    acknowledged_by: null,
    silenced: false,
  };
}

describe(FleetStore.name, () => {
  let permissions: Permission[];
  let alertEvents: Subject<AlertEvent>;
  let alertLists: Subject<Pick<AlertListResponse, 'alerts'>>[];
  let stream: Subject<StreamEvent<FleetFrame>>;
  let agentLists: Subject<{ agents: Agent[] }>[];
  let histories: Map<string, Subject<SparkPoint[]>>;
  let store: FleetStore;

  function setUp(): void {
    stream = new Subject();
    agentLists = [];
    alertEvents = new Subject();
    alertLists = [];
    histories = new Map();
    TestBed.configureTestingModule({
      providers: [
        FleetStore,
        {
          provide: FleetApi,
          useValue: {
            frames: () => defer(() => stream),
            agents: () =>
              defer(() => {
                const s = new Subject<{ agents: Agent[] }>();
                agentLists.push(s);
                return s;
              }),
            cpuHistory: (id: string): Observable<SparkPoint[]> => {
              const s = new Subject<SparkPoint[]>();
              histories.set(id, s);
              return s;
            },
          },
        },
        {
          provide: AlertsApi,
          useValue: {
            list: () =>
              defer(() => {
                const s = new Subject<Pick<AlertListResponse, 'alerts'>>();
                alertLists.push(s);
                return s;
              }),
          },
        },
        { provide: AlertBellStore, useValue: { events: alertEvents.asObservable() } },
        { provide: AuthApi, useValue: { me: () => of({} as MeResponse) } },
        { provide: AuthStore, useValue: { can: (p: Permission) => permissions.includes(p) } },
      ],
    });
    store = TestBed.inject(FleetStore);
  }

  beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-01-15T10:30:10.000Z') }));
  afterEach(() => jest.useRealTimers());

  function sampleFrame(...ids: string[]): StreamEvent<FleetFrame> {
    return {
      kind: 'sample',
      sample: {
        timestamp: '2026-01-15T10:30:10.000Z',
        samples: ids.map((id) =>
          snapshotSample({ agent_id: id, timestamp: '2026-01-15T10:30:09.000Z' }),
        ),
      },
    };
  }

  it('without agents:view shows the hosts the stream names, online, and no registry call', () => {
    permissions = ['dashboard:view'];
    setUp();
    store.connect();
    expect(store.loading()).toBe(true);
    stream.next({ kind: 'open' });
    stream.next(sampleFrame('local', 'web-1'));
    expect(store.status()).toBe('live');
    expect(store.loading()).toBe(false);
    expect(store.hosts().map((h) => [h.id, h.status])).toEqual([
      ['local', 'online'],
      ['web-1', 'online'],
    ]);
    expect(agentLists).toHaveLength(0);
    // One history request per host for its sparkline, live points added to it.
    histories.get('web-1')?.next([{ time: Date.parse('2026-01-15T10:00:00.000Z'), cpu: 3 }]);
    expect(store.hosts()[1].spark.map((p) => p.cpu)).toEqual([3, 25]);
  });

  it('with agents:view merges the registry, re-reads it, and filters and sorts', () => {
    permissions = ['dashboard:view', 'agents:view'];
    setUp();
    store.connect();
    jest.advanceTimersByTime(0);
    agentLists[0].next({
      agents: [agent('local', 'online'), agent('db-1', 'offline'), agent('new', 'pending')],
    });
    expect(store.counts()).toEqual({ online: 1, offline: 1, pending: 1, revoked: 0 });

    // db-1 talks again: its card is online before the registry list says so.
    jest.advanceTimersByTime(1000);
    stream.next(sampleFrame('db-1'));
    expect(store.hosts().find((h) => h.id === 'db-1')?.status).toBe('online');

    jest.advanceTimersByTime(AGENTS_REFRESH_MS);
    expect(agentLists).toHaveLength(2);
    agentLists[1].next({
      agents: [agent('local', 'online'), agent('db-1', 'revoked'), agent('new', 'pending')],
    });
    const db = store.hosts().find((h) => h.id === 'db-1');
    expect(db).toMatchObject({ status: 'revoked', cpu: null });

    store.statusFilter.set('pending');
    expect(store.hosts().map((h) => h.id)).toEqual(['new']);
    store.statusFilter.set('all');
    store.text.set('DB');
    expect(store.hosts().map((h) => h.id)).toEqual(['db-1']);
    store.text.set('');
    store.sort.set('status');
    expect(store.hosts().map((h) => h.id)).toEqual(['new', 'local', 'db-1']);
  });

  it('with alerts:view counts each host’s active alerts and follows every alert event', () => {
    permissions = ['dashboard:view', 'alerts:view'];
    setUp();
    store.connect();
    stream.next(sampleFrame('local', 'web-1'));
    // Not known yet: no count rather than a wrong 0.
    expect(store.hosts().map((h) => h.alerts)).toEqual([null, null]);
    jest.advanceTimersByTime(0);
    alertLists[0].next({ alerts: [alert('a1', 'web-1'), alert('a2', 'web-1')] });
    const counts = () => Object.fromEntries(store.hosts().map((h) => [h.id, h.alerts]));
    expect(counts()).toEqual({ local: 0, 'web-1': 2 });

    // Two events in one tick are both counted.
    alertEvents.next({ change: 'raised', alert: alert('a3', 'local'), active: 3 });
    alertEvents.next({ change: 'resolved', alert: alert('a1', 'web-1', true), active: 2 });
    expect(counts()).toEqual({ local: 1, 'web-1': 1 });

    // Read again with the registry's period, which replaces what the events built.
    jest.advanceTimersByTime(AGENTS_REFRESH_MS);
    alertLists[1].next({ alerts: [] });
    expect(counts()).toEqual({ local: 0, 'web-1': 0 });
  });

  it('without alerts:view asks for no alerts and shows no counts', () => {
    permissions = ['dashboard:view'];
    setUp();
    store.connect();
    jest.advanceTimersByTime(0);
    stream.next(sampleFrame('local'));
    expect(alertLists).toHaveLength(0);
    expect(store.hosts()[0].alerts).toBeNull();
  });

  it('says when the stream is interrupted', () => {
    permissions = ['dashboard:view'];
    setUp();
    store.connect();
    stream.next({ kind: 'interrupted' });
    expect(store.status()).toBe('reconnecting');
  });
});
