import { EventEmitter2 } from '@nestjs/event-emitter';
import { LiveSampleSchema } from '@tyto/contracts';
import { z } from 'zod';
import { createUser, USER_PASSWORD, userWithGrants } from '../test/api';
import { startHub, type TestHub } from '../test/hub';
import { METRICS_SAMPLE } from './metrics.events';
import { StreamHub } from './stream-hub.service';

interface SseEvent {
  event: string;
  data: unknown;
  at: number;
}

/** An open SSE stream that records every event and when the server ended it. */
async function openStream(hub: TestHub, token: string, query = '') {
  const res = await hub.fetch(`/api/v1/stream${query}`, { token });
  expect(res.status).toBe(200);
  if (!res.body) throw new Error('stream has no body');
  const reader = res.body.getReader();
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  const ended = (async () => {
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return Date.now();
      buffer += decoder.decode(value, { stream: true });
      let sep: number;
      while ((sep = buffer.indexOf('\n\n')) >= 0) {
        const lines = buffer.slice(0, sep).split('\n');
        buffer = buffer.slice(sep + 2);
        const event = lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim();
        const data = lines
          .find((l) => l.startsWith('data:'))
          ?.slice(5)
          .trim();
        if (event && data) events.push({ event, data: JSON.parse(data), at: Date.now() });
      }
    }
  })();
  const waitFor = async (event: string, count: number, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (events.filter((e) => e.event === event).length < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return events.filter((e) => e.event === event);
  };
  /** Resolves to ms the server took to end the stream after `since`, or 'open' after 5 s. */
  const endedWithin = async (since: number) =>
    Promise.race([
      ended.then((at) => at - since),
      new Promise<'open'>((r) => setTimeout(() => r('open'), 5_000).unref()),
    ]);
  return { events, waitFor, endedWithin, cancel: () => reader.cancel().catch(() => undefined) };
}

describe('GET /api/v1/stream', () => {
  let hub: TestHub;
  let admin: string;
  beforeAll(async () => {
    hub = await startHub('sqlite');
    admin = await hub.login();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('starts with the newest sample, then one event per sample', async () => {
    const stream = await openStream(hub, admin, '?agent_id=local');
    const samples = await stream.waitFor('metrics', 3);
    expect(samples.length).toBeGreaterThanOrEqual(3);
    for (const s of samples) expect(LiveSampleSchema.parse(s.data).agent_id).toBe('local');
    await stream.cancel();
  });

  it('holds one bus subscription however many clients are connected', async () => {
    const bus = hub.app.get(EventEmitter2);
    const before = bus.listenerCount(METRICS_SAMPLE);
    const streams = await Promise.all(Array.from({ length: 20 }, () => openStream(hub, admin)));
    expect(hub.app.get(StreamHub).clientCount).toBeGreaterThanOrEqual(20);
    expect(bus.listenerCount(METRICS_SAMPLE)).toBe(before);
    await Promise.all(streams.map((s) => s.waitFor('metrics', 2)));
    // Every client got the same frames.
    const firstTimestamps = streams.map((s) =>
      s.events
        .filter((e) => e.event === 'metrics')
        .map((e) => (e.data as { timestamp: string }).timestamp),
    );
    const common = firstTimestamps[0].at(-1);
    for (const t of firstTimestamps) expect(t).toContain(common);
    await Promise.all(streams.map((s) => s.cancel()));
  });

  it('sends one coalesced fleet frame per tick with view=fleet', async () => {
    const stream = await openStream(hub, admin, '?view=fleet');
    const frames = await stream.waitFor('fleet', 2);
    const Frame = z.object({ timestamp: z.string(), samples: z.array(LiveSampleSchema) });
    for (const f of frames) {
      const frame = Frame.parse(f.data);
      expect(frame.samples.map((s) => s.agent_id)).toEqual(['local']);
    }
    expect(stream.events.filter((e) => e.event === 'metrics')).toEqual([]);
    await stream.cancel();
  });

  it('ends within a second of logout', async () => {
    const token = await hub.login();
    const stream = await openStream(hub, token);
    await stream.waitFor('metrics', 1);
    const t0 = Date.now();
    expect((await hub.fetch('/api/v1/auth/logout', { method: 'POST', token })).status).toBe(204);
    expect(await stream.endedWithin(t0)).toBeLessThan(1000);
    expect(stream.events.at(-1)).toMatchObject({ event: 'end', data: { code: 'SESSION_EXPIRED' } });
  });

  it('ends within a second of the user being disabled', async () => {
    const user = await createUser(hub, admin, { username: 'watcher', roles: ['viewer'] });
    const token = await hub.login('watcher', USER_PASSWORD);
    const stream = await openStream(hub, token);
    await stream.waitFor('metrics', 1);
    const t0 = Date.now();
    const res = await hub.fetch(`/api/v1/users/${user.id}`, {
      method: 'PUT',
      token: admin,
      json: { disabled: true },
    });
    expect(res.status).toBe(200);
    expect(await stream.endedWithin(t0)).toBeLessThan(1000);
  });

  it('ends within a second of the password being reset by an admin', async () => {
    const user = await createUser(hub, admin, { username: 'resetee', roles: ['viewer'] });
    const token = await hub.login('resetee', USER_PASSWORD);
    const stream = await openStream(hub, token);
    await stream.waitFor('metrics', 1);
    const t0 = Date.now();
    const res = await hub.fetch(`/api/v1/users/${user.id}/password`, {
      method: 'PUT',
      token: admin,
      json: { new_password: 'another-long-password' },
    });
    expect(res.status).toBeLessThan(300);
    expect(await stream.endedWithin(t0)).toBeLessThan(1000);
  });

  it('ends within a second of its role losing dashboard:view, and not before', async () => {
    const { role, token } = await userWithGrants(hub, admin, 'dash-holder', [
      'dashboard:view',
      'users:view',
    ]);
    const stream = await openStream(hub, token);
    await stream.waitFor('metrics', 1);
    // A change that keeps the permission leaves the stream open.
    const keep = await hub.fetch(`/api/v1/roles/${role.id}`, {
      method: 'PUT',
      token: admin,
      json: { permissions: ['dashboard:view'] },
    });
    expect(keep.status).toBe(200);
    const count = stream.events.length;
    await stream.waitFor('metrics', stream.events.filter((e) => e.event === 'metrics').length + 1);
    expect(stream.events.length).toBeGreaterThan(count);
    const t0 = Date.now();
    const drop = await hub.fetch(`/api/v1/roles/${role.id}`, {
      method: 'PUT',
      token: admin,
      json: { permissions: ['users:view'] },
    });
    expect(drop.status).toBe(200);
    expect(await stream.endedWithin(t0)).toBeLessThan(1000);
    expect(stream.events.at(-1)).toMatchObject({ event: 'end', data: { code: 'FORBIDDEN' } });
    // And the cached principal changed with it: the same token is refused at once.
    expect((await hub.fetch('/api/v1/stream', { token })).status).toBe(403);
  });
});

describe('GET /api/v1/stream with a short session', () => {
  it('ends within a second of the session expiring', async () => {
    const hub = await startHub('sqlite', { TYTO_SESSION_TTL: '3' });
    try {
      const token = await hub.login();
      const opened = Date.now();
      const stream = await openStream(hub, token);
      await stream.waitFor('metrics', 1);
      const ended = await Promise.race([
        stream.endedWithin(opened).then((ms) => ms),
        new Promise<'open'>((r) => setTimeout(() => r('open'), 8_000).unref()),
      ]);
      // Opened within the 3 s TTL of a fresh login: it must end by 3 s + 1 s after opening.
      expect(ended).not.toBe('open');
      expect(ended).toBeLessThan(4_000 + 500);
    } finally {
      await hub.close();
    }
  });
});
