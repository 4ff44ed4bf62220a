import type { Agent } from '@tyto/contracts';
import { snapshotSample } from '../../testing/metrics-sample';
import type { FleetHost } from './fleet-model';
import {
  SPARK_WINDOW_MS,
  appendSpark,
  busiestDisk,
  filterHosts,
  fleetHosts,
  sortHosts,
  sparkArea,
  sparkPath,
} from './fleet-model';

function agent(id: string, status: Agent['status'], name = id): Agent {
  return {
    id,
    name,
    hostname: `${id}.lan`,
    status,
    architecture: 'x64',
    os: 'Linux',
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

function host(id: string, over: Partial<FleetHost> = {}): FleetHost {
  return {
    id,
    name: id,
    hostname: null,
    status: 'online',
    cpu: 10,
    memory: 10,
    busiestDisk: { mountpoint: '/', usedPercent: 10 },
    network: { rxRate: 0, txRate: 0 },
    lastSample: null,
    spark: [],
    alerts: null,
    ...over,
  };
}

describe('fleet model', () => {
  it('picks the fullest mount as the busiest disk', () => {
    const s = snapshotSample();
    const mounts = [
      { ...s.disk.mounts[0], mountpoint: '/', usedPercent: 40 },
      { ...s.disk.mounts[0], mountpoint: '/var', usedPercent: 91 },
    ];
    expect(busiestDisk({ disk: { ...s.disk, mounts } })).toEqual({
      mountpoint: '/var',
      usedPercent: 91,
    });
    expect(busiestDisk({ disk: { ...s.disk, mounts: [] } })).toBeNull();
  });

  it('makes a card per registered agent and per streamed host, figures only for live ones', () => {
    const sample = snapshotSample({ agent_id: 'web-1' });
    const samples = new Map([
      ['web-1', sample],
      ['old', snapshotSample({ agent_id: 'old' })],
      ['unlisted', snapshotSample({ agent_id: 'unlisted' })],
    ]);
    const cards = fleetHosts(
      [agent('web-1', 'online', 'Web 1'), agent('new', 'pending'), agent('old', 'revoked')],
      samples,
      new Map([['web-1', [{ time: 1, cpu: 5 }]]]),
    );
    const byId = new Map(cards.map((c) => [c.id, c]));
    expect([...byId.keys()]).toEqual(['web-1', 'new', 'old', 'unlisted']);
    expect(byId.get('web-1')).toMatchObject({
      name: 'Web 1',
      status: 'online',
      cpu: sample.cpu.totalUsage,
      memory: sample.memory.usedPercent,
      spark: [{ time: 1, cpu: 5 }],
    });
    expect(byId.get('new')).toMatchObject({ status: 'pending', cpu: null });
    // A revoked host shows no figures even though an old sample is still known.
    expect(byId.get('old')).toMatchObject({ status: 'revoked', cpu: null, spark: [] });
    // A user without agents:view gets no registry list: streamed hosts are online.
    expect(byId.get('unlisted')?.status).toBe('online');
    expect(fleetHosts(null, samples, new Map()).map((c) => c.id)).toEqual([
      'web-1',
      'old',
      'unlisted',
    ]);
  });

  it('filters by text in id, name or hostname and by status', () => {
    const hosts = [
      host('local'),
      host('db-1', { name: 'Database', hostname: 'pg.lan', status: 'offline' }),
    ];
    expect(filterHosts(hosts, 'PG', 'all').map((h) => h.id)).toEqual(['db-1']);
    expect(filterHosts(hosts, 'data', 'all').map((h) => h.id)).toEqual(['db-1']);
    expect(filterHosts(hosts, '', 'online').map((h) => h.id)).toEqual(['local']);
    expect(filterHosts(hosts, 'x', 'all')).toEqual([]);
  });

  it('sorts by name with local first, by status attention first, by figures highest first', () => {
    const hosts = [
      host('b', { cpu: 50, status: 'online' }),
      host('a', { cpu: null, memory: null, busiestDisk: null, status: 'pending' }),
      host('local', { cpu: 20, status: 'online' }),
      host('c', { cpu: 90, status: 'offline' }),
    ];
    expect(sortHosts(hosts, 'name').map((h) => h.id)).toEqual(['local', 'a', 'b', 'c']);
    expect(sortHosts(hosts, 'status').map((h) => h.id)).toEqual(['c', 'a', 'local', 'b']);
    expect(sortHosts(hosts, 'cpu').map((h) => h.id)).toEqual(['c', 'b', 'local', 'a']);
  });

  it('keeps an hour of spark points, in order', () => {
    const now = 10 * SPARK_WINDOW_MS;
    const old = { time: now - SPARK_WINDOW_MS - 1, cpu: 1 };
    const recent = { time: now - 1000, cpu: 2 };
    expect(appendSpark([old, recent], { time: now, cpu: 3 }, now)).toEqual([
      recent,
      { time: now, cpu: 3 },
    ]);
    // A repeated or older sample is not appended twice.
    expect(appendSpark([recent], recent, now)).toEqual([recent]);
  });

  it('draws the sparkline over the data of the last hour, 100 % at the top', () => {
    const now = SPARK_WINDOW_MS;
    expect(sparkPath([{ time: now, cpu: 50 }], now, 100, 10)).toBe('');
    expect(
      sparkPath(
        [
          { time: now / 2, cpu: 0 },
          { time: now, cpu: 100 },
        ],
        now,
        100,
        10,
      ),
    ).toBe('M0.0,10.0 L100.0,0.0');
    // An hour and more of points: the window is the last hour.
    expect(
      sparkPath(
        [
          { time: 0, cpu: 0 },
          { time: now / 2, cpu: 50 },
          { time: now, cpu: 100 },
        ],
        now,
        100,
        10,
      ),
    ).toBe('M0.0,10.0 L50.0,5.0 L100.0,0.0');
    const flat = [
      { time: now / 2, cpu: 100 },
      { time: now, cpu: 100 },
    ];
    expect(sparkArea(flat, now, 100, 10)).toBe('M0.0,0.0 L100.0,0.0 L100.0,10.0 L0.0,10.0 Z');
    expect(sparkArea(flat.slice(1), now, 100, 10)).toBe('');
  });
});
