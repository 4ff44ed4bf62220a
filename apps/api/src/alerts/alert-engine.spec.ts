import type { MetricsSnapshot } from '@tyto/contracts';
import { snapshot, type SampleValues } from '../test/samples';
import { AlertEngine, type EngineRule, type Transition } from './alert-engine';
import { DEFAULT_RULES, RuleSet, toEngineRule, type StoredRule } from './alert-rules';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const SEC = 1000;

/** An engine over the built-in rules plus these stored ones, and a helper feeding samples. */
function engineWith(stored: StoredRule[] = []) {
  const rules = new RuleSet(stored);
  const engine = new AlertEngine((id) => rules.forHost(id));
  const feed = (
    at: number,
    values: Partial<SampleValues>,
    agent = 'web-01',
    tweak?: (s: MetricsSnapshot) => void,
  ) => {
    const s = snapshot(agent, at, values);
    tweak?.(s);
    return engine.evaluate(s, at);
  };
  return { engine, feed, rules };
}

const memoryRule = (over: Partial<StoredRule>): StoredRule => ({
  ...DEFAULT_RULES.memory,
  type: 'memory',
  agentId: null,
  ...over,
});

const kinds = (ts: Transition[]) => ts.map((t) => `${t.type}:${t.kind}:${t.level}`);

describe(AlertEngine.name, () => {
  describe('evaluate', () => {
    it('raises on the first sample at the line when `for` is 0 (the seed’s thresholds)', () => {
      const { feed } = engineWith();
      expect(feed(T0, { memory: 84.9 })).toEqual([]);
      const [t] = feed(T0 + SEC, { memory: 85 });
      expect(t).toMatchObject({
        kind: 'raised',
        agentId: 'web-01',
        type: 'memory',
        subject: '',
        level: 'warning',
        value: 85,
        threshold: 85,
      });
    });

    it('raises one alert, not a storm, for a value hovering at the line (hysteresis)', () => {
      const { feed } = engineWith();
      const all: Transition[] = [];
      for (let i = 0; i < 20; i++) all.push(...feed(T0 + i * SEC, { memory: i % 2 ? 85 : 84 }));
      expect(kinds(all)).toEqual(['memory:raised:warning']);
    });

    it('clears only below the line minus the hysteresis, at the boundary exactly', () => {
      const { feed } = engineWith();
      feed(T0, { memory: 90 });
      expect(feed(T0 + SEC, { memory: 80 })).toEqual([]); // 85 − 5: still held
      const [t] = feed(T0 + 2 * SEC, { memory: 79.99 });
      expect(t).toMatchObject({ kind: 'resolved', level: 'warning', type: 'memory' });
      expect(feed(T0 + 3 * SEC, { memory: 84 })).toEqual([]);
    });

    it('waits for `for` before raising, and starts over when the condition lapses', () => {
      const { feed } = engineWith([memoryRule({ for: 30 })]);
      expect(feed(T0, { memory: 90 })).toEqual([]);
      expect(feed(T0 + 20 * SEC, { memory: 90 })).toEqual([]);
      expect(feed(T0 + 25 * SEC, { memory: 50 })).toEqual([]);
      expect(feed(T0 + 30 * SEC, { memory: 90 })).toEqual([]);
      expect(feed(T0 + 59 * SEC, { memory: 90 })).toEqual([]);
      expect(kinds(feed(T0 + 60 * SEC, { memory: 90 }))).toEqual(['memory:raised:warning']);
    });

    it('escalates the same alert to critical, steps it down, then resolves it', () => {
      const { feed } = engineWith();
      const [raised] = feed(T0, { cpu: 81 });
      const [up] = feed(T0 + SEC, { cpu: 96 });
      expect(up).toMatchObject({ kind: 'escalated', level: 'critical', threshold: 95 });
      expect(up.alertId).toBe(raised.alertId);
      expect(feed(T0 + 2 * SEC, { cpu: 91 })).toEqual([]); // 95 − 5 holds critical
      const [down] = feed(T0 + 3 * SEC, { cpu: 89 });
      expect(down).toMatchObject({
        kind: 'deescalated',
        level: 'warning',
        alertId: raised.alertId,
      });
      const [gone] = feed(T0 + 4 * SEC, { cpu: 10 });
      expect(gone).toMatchObject({ kind: 'resolved', alertId: raised.alertId });
      const [again] = feed(T0 + 5 * SEC, { cpu: 85 });
      expect(again.kind).toBe('raised');
      expect(again.alertId).not.toBe(raised.alertId);
    });

    it('jumps straight to critical when the first value is past both lines', () => {
      const { feed } = engineWith();
      expect(kinds(feed(T0, { rootUsed: 95 }))).toEqual(['disk:raised:critical']);
    });

    it('keeps one alert per subject: each mount, sensor and host on its own', () => {
      const { feed } = engineWith();
      const a = feed(T0, { rootUsed: 85 }, 'web-01', (s) => {
        s.disk.mounts[1].usedPercent = 99;
      });
      expect(a.map((t) => [t.type, t.subject, t.level])).toEqual([
        ['disk', '/', 'warning'],
        ['disk', '/data', 'critical'],
      ]);
      expect(
        feed(T0 + SEC, { rootUsed: 85 }, 'web-01', (s) => (s.disk.mounts[1].usedPercent = 99)),
      ).toEqual([]);
      expect(kinds(feed(T0, { rootUsed: 85 }, 'web-02'))).toEqual(['disk:raised:warning']);
    });

    it('resolves the alert of a subject that disappears (an unmounted disk)', () => {
      const { feed } = engineWith();
      feed(T0, {}, 'web-01', (s) => (s.disk.mounts[1].usedPercent = 99));
      const [t] = feed(T0 + SEC, {}, 'web-01', (s) => s.disk.mounts.splice(1, 1));
      expect(t).toMatchObject({ kind: 'resolved', type: 'disk', subject: '/data' });
    });

    it('watches swap, load per core, inodes, temperature, containers and failed units', () => {
      const { feed } = engineWith([
        { ...DEFAULT_RULES.load, type: 'load', agentId: null, for: 0 },
        { ...DEFAULT_RULES.temperature, type: 'temperature', agentId: null, for: 0 },
      ]);
      const out = feed(T0, { swap: 96, load: 2.5, temperature: 81 }, 'web-01', (s) => {
        s.disk.mounts[0].inodesPercent = 91;
        s.systemd.services[0].state = 'failed';
        s.docker.available = true;
        s.docker.containers = [
          {
            id: 'a',
            name: 'db',
            image: 'pg',
            status: 'Exited (1)',
            state: 'exited',
            health: null,
            restarts: 0,
            cpu: 0,
            memory: 0,
            memoryLimit: 0,
            networkRx: 0,
            networkTx: 0,
            blockRead: 0,
            blockWrite: 0,
          },
          {
            id: 'b',
            name: 'web',
            image: 'nginx',
            status: 'Up',
            state: 'running',
            health: 'unhealthy',
            restarts: 0,
            cpu: 0,
            memory: 0,
            memoryLimit: 0,
            networkRx: 0,
            networkTx: 0,
            blockRead: 0,
            blockWrite: 0,
          },
          {
            id: 'c',
            name: 'ok',
            image: 'x',
            status: 'Up',
            state: 'running',
            health: 'healthy',
            restarts: 0,
            cpu: 0,
            memory: 0,
            memoryLimit: 0,
            networkRx: 0,
            networkTx: 0,
            blockRead: 0,
            blockWrite: 0,
          },
        ];
      });
      expect(out.map((t) => `${t.type}:${t.subject}:${t.level}`)).toEqual([
        'swap::critical',
        'load::warning',
        'inodes:/:critical',
        'temperature:cpu:warning',
        'container:db:warning',
        'container:web:warning',
        'systemd:nginx.service:warning',
      ]);
    });

    it('applies a host’s override instead of the global rule for that host only', () => {
      const { feed } = engineWith([memoryRule({ agentId: 'db-01', warning: 95, critical: 99 })]);
      expect(feed(T0, { memory: 90 }, 'db-01')).toEqual([]);
      expect(kinds(feed(T0, { memory: 90 }, 'web-01'))).toEqual(['memory:raised:warning']);
    });

    it('clears the alerts of a rule once it is disabled', () => {
      const stored: StoredRule[] = [];
      const { feed, rules } = engineWith(stored);
      feed(T0, { memory: 90 });
      rules.replace([memoryRule({ enabled: false })]);
      expect(kinds(feed(T0 + SEC, { memory: 90 }))).toEqual(['memory:resolved:warning']);
      expect(feed(T0 + 2 * SEC, { memory: 90 })).toEqual([]);
    });
  });

  describe('checkOffline', () => {
    it('raises host_offline after N missed intervals and resolves it on the next sample', () => {
      const { engine, feed } = engineWith();
      feed(T0, {}, 'edge-01');
      expect(engine.checkOffline(T0 + 14 * SEC, 5 * SEC)).toEqual([]);
      const [down] = engine.checkOffline(T0 + 15 * SEC, 5 * SEC);
      expect(down).toMatchObject({
        kind: 'raised',
        type: 'host_offline',
        agentId: 'edge-01',
        level: 'critical',
        value: 15,
      });
      expect(engine.checkOffline(T0 + 20 * SEC, 5 * SEC)).toEqual([]);
      const [up] = feed(T0 + 21 * SEC, {}, 'edge-01');
      expect(up).toMatchObject({ kind: 'resolved', type: 'host_offline', alertId: down.alertId });
    });

    it('honours the rule’s intervals', () => {
      const { engine, feed } = engineWith([
        { ...DEFAULT_RULES.host_offline, type: 'host_offline', agentId: 'edge-01', intervals: 10 },
      ]);
      feed(T0, {}, 'edge-01');
      expect(engine.checkOffline(T0 + 49 * SEC, 5 * SEC)).toEqual([]);
      expect(engine.checkOffline(T0 + 50 * SEC, 5 * SEC)).toHaveLength(1);
    });
  });

  describe('watch', () => {
    it('raises host_offline for a host that never sends a sample after a restart', () => {
      const { engine, feed } = engineWith();
      engine.watch('edge-02', T0);
      expect(engine.checkOffline(T0 + 14 * SEC, 5 * SEC)).toEqual([]);
      expect(engine.checkOffline(T0 + 15 * SEC, 5 * SEC)).toMatchObject([
        { kind: 'raised', type: 'host_offline', agentId: 'edge-02' },
      ]);
      // A host that reconnects in time is not raised: its sample moves the clock.
      engine.watch('edge-03', T0);
      feed(T0 + 10 * SEC, {}, 'edge-03');
      expect(engine.checkOffline(T0 + 20 * SEC, 5 * SEC)).toEqual([]);
      // An older time never moves a watched host's clock back.
      engine.watch('edge-03', T0);
      expect(engine.checkOffline(T0 + 24 * SEC, 5 * SEC)).toEqual([]);
    });
  });

  describe('restore', () => {
    it('neither forgets nor raises again the alerts active before a restart', () => {
      const first = engineWith();
      const [raised] = first.feed(T0, { memory: 96 });
      const second = engineWith();
      second.engine.restore(
        [{ id: raised.alertId, agentId: 'web-01', type: 'memory', subject: '', level: 'critical' }],
        T0,
      );
      expect(second.feed(T0 + SEC, { memory: 96 })).toEqual([]);
      expect(second.engine.activeCount()).toBe(1);
      const [gone] = second.feed(T0 + 2 * SEC, { memory: 10 });
      expect(gone).toMatchObject({ kind: 'resolved', alertId: raised.alertId });
    });
  });

  describe('pending conditions', () => {
    it('reports when a `for` starts and stops pending, and nothing for a `for` of 0', () => {
      const { engine, feed } = engineWith([memoryRule({ for: 600 })]);
      feed(T0, { memory: 90 });
      expect(engine.takePendingChanges()).toEqual([
        { agentId: 'web-01', type: 'memory', subject: '', since: T0 },
      ]);
      feed(T0 + SEC, { memory: 90 });
      expect(engine.takePendingChanges()).toEqual([]);
      feed(T0 + 2 * SEC, { memory: 10 });
      expect(engine.takePendingChanges()).toEqual([
        { agentId: 'web-01', type: 'memory', subject: '', since: null },
      ]);
      const seed = engineWith();
      expect(kinds(seed.feed(T0, { cpu: 99 }))).toEqual(['cpu:raised:critical']);
      expect(seed.engine.takePendingChanges()).toEqual([]);
    });

    it('reports the end of a pending that raised, and of a subject that went away', () => {
      const { engine, feed } = engineWith([memoryRule({ for: 60 })]);
      feed(T0, { memory: 90 });
      engine.takePendingChanges();
      expect(kinds(feed(T0 + 60 * SEC, { memory: 90 }))).toEqual(['memory:raised:warning']);
      expect(engine.takePendingChanges()).toEqual([
        { agentId: 'web-01', type: 'memory', subject: '', since: null },
      ]);
      const disk = engineWith([
        { ...DEFAULT_RULES.disk, type: 'disk', agentId: null, for: 60 } as StoredRule,
      ]);
      disk.feed(T0, { rootUsed: 85 });
      expect(disk.engine.takePendingChanges()).toEqual([
        { agentId: 'web-01', type: 'disk', subject: '/', since: T0 },
      ]);
      disk.feed(T0 + SEC, {}, 'web-01', (s) => (s.disk.mounts = []));
      expect(disk.engine.takePendingChanges()).toEqual([
        { agentId: 'web-01', type: 'disk', subject: '/', since: null },
      ]);
    });

    it('goes on with a restored `for` instead of starting it again (a restart)', () => {
      const { engine, feed } = engineWith([memoryRule({ for: 3600 })]);
      engine.restorePending(
        [{ agentId: 'web-01', type: 'memory', subject: '', since: T0 }],
        T0 + 3000 * SEC,
      );
      expect(feed(T0 + 3000 * SEC, { memory: 90 })).toEqual([]);
      expect(engine.takePendingChanges()).toEqual([]);
      expect(kinds(feed(T0 + 3600 * SEC, { memory: 90 }))).toEqual(['memory:raised:warning']);
      // Restored, then the condition lapses: it starts over.
      const again = engineWith([memoryRule({ for: 3600 })]);
      again.engine.restorePending(
        [{ agentId: 'web-01', type: 'memory', subject: '', since: T0 }],
        T0,
      );
      expect(again.feed(T0 + 10 * SEC, { memory: 20 })).toEqual([]);
      expect(again.engine.takePendingChanges()).toEqual([
        { agentId: 'web-01', type: 'memory', subject: '', since: null },
      ]);
      expect(again.feed(T0 + 3600 * SEC, { memory: 90 })).toEqual([]);
    });

    it('keeps a restored escalation pending on the restored alert', () => {
      const { engine, feed } = engineWith([memoryRule({ for: 600 })]);
      engine.restore(
        [{ id: 'a-1', agentId: 'web-01', type: 'memory', subject: '', level: 'warning' }],
        T0,
      );
      engine.restorePending([{ agentId: 'web-01', type: 'memory', subject: '', since: T0 }], T0);
      expect(feed(T0 + 300 * SEC, { memory: 97 })).toEqual([]);
      const [up] = feed(T0 + 600 * SEC, { memory: 97 });
      expect(up).toMatchObject({ kind: 'escalated', alertId: 'a-1', level: 'critical' });
    });
  });

  it('converts rules for the engine in milliseconds', () => {
    const r: EngineRule = toEngineRule('memory', { ...DEFAULT_RULES.memory, for: 30 });
    expect(r.forMs).toBe(30_000);
  });
});
