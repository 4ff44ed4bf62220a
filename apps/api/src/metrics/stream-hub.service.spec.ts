import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { AuthService } from '../auth/auth.service';
import type { Principal } from '../common/principal';
import { snapshot } from '../test/samples';
import { StreamHub } from './stream-hub.service';

/** A response whose socket buffer the test fills and drains by hand. */
class FakeResponse extends EventEmitter {
  writableLength = 0;
  writableEnded = false;
  destroyed = false;
  /** Each write, as text. */
  readonly chunks: string[] = [];
  writeHead(): this {
    return this;
  }
  write(chunk: Buffer): boolean {
    this.chunks.push(chunk.toString());
    return true;
  }
  end(): void {
    this.writableEnded = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  events(): { event: string; data: Record<string, unknown> }[] {
    return this.chunks
      .flatMap((c) => c.split('\n\n'))
      .filter((c) => c.startsWith('event:'))
      .map((c) => {
        const [e, d] = c.split('\n');
        return { event: e.slice(7), data: JSON.parse(d.slice(6)) as Record<string, unknown> };
      });
  }
}

const principal: Principal = {
  userId: 'u-1',
  username: 'alice',
  email: null,
  roles: ['viewer'],
  grants: ['dashboard:view'],
  authProvider: 'local',
  lastLogin: null,
  sessionId: 's-1',
  expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
};

function hubWithClient() {
  const hub = new StreamHub({ markSeen: () => undefined } as unknown as AuthService);
  const res = new FakeResponse();
  hub.open(res as unknown as ServerResponse, principal, 'dashboard:view', { fleet: false });
  return { hub, res };
}

const at = (seconds: number, systemdUnits = 1) => {
  const s = snapshot('local', Date.UTC(2026, 11, 1, 0, 0, seconds));
  const services = Array.from({ length: systemdUnits }, (_, i) => ({
    name: `unit-${i}.service`,
    description: 'A unit',
    load: 'loaded',
    state: 'active',
    subState: 'running',
  }));
  return { ...s, systemd: { available: true, services } };
};

/** Frames are written when the turn of the event loop that made them is over. */
const nextTurn = () => new Promise((r) => setImmediate(r));

describe(StreamHub.name, () => {
  describe('publish', () => {
    it('sends a slow section only when it changed since the previous sample', async () => {
      const { hub, res } = hubWithClient();
      hub.publish(at(0, 1));
      hub.publish(at(1, 1));
      hub.publish(at(2, 2));
      await nextTurn();
      expect(res.events().map((e) => 'systemd' in e.data)).toEqual([true, false, true]);
    });

    it('writes the frames of one turn of the event loop at once, one write per client', async () => {
      const { hub, res } = hubWithClient();
      await nextTurn();
      res.chunks.length = 0;
      hub.publish(at(0));
      hub.publish(at(1));
      hub.publish(at(2));
      expect(res.chunks).toEqual([]);
      await nextTurn();
      expect(res.chunks).toHaveLength(1);
      expect(res.events().map((e) => e.data['timestamp'])).toEqual(
        [0, 1, 2].map((s) => at(s).timestamp),
      );
      hub.publish(at(3));
      await nextTurn();
      expect(res.chunks).toHaveLength(2);
      expect(res.events()).toHaveLength(4);
    });

    it('skips frames for a client that is not reading, then says how many and resyncs', async () => {
      const { hub, res } = hubWithClient();
      hub.publish(at(0));
      res.writableLength = 10 * 1024 * 1024;
      hub.publish(at(1));
      hub.publish(at(2));
      res.writableLength = 0;
      hub.publish(at(3));
      hub.publish(at(4));
      await nextTurn();
      const events = res.events();
      expect(events.map((e) => e.event)).toEqual(['metrics', 'dropped', 'metrics', 'metrics']);
      expect(events[1].data).toEqual({ dropped: 2 });
      // The first frame after the gap is complete (it may carry a slow section it missed).
      expect('systemd' in events[2].data).toBe(true);
      expect('systemd' in events[3].data).toBe(false);
    });

    it('disconnects a client that stays blocked for more than 30 s', () => {
      jest.useFakeTimers({ now: Date.now() });
      try {
        const { hub, res } = hubWithClient();
        res.writableLength = 10 * 1024 * 1024;
        hub.publish(at(0));
        jest.setSystemTime(Date.now() + 29_000);
        hub.publish(at(1));
        expect(res.destroyed).toBe(false);
        jest.setSystemTime(Date.now() + 2_000);
        hub.publish(at(2));
        expect(res.destroyed).toBe(true);
      } finally {
        jest.useRealTimers();
      }
    });
  });
});
