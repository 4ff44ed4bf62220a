import { HubBus } from '../common/bus';
import type { AlertEvent, AlertListResponse, Channel, ChannelListResponse } from '@tyto/contracts';
import { createHmac } from 'node:crypto';
import { METRICS_SAMPLE } from '../metrics/metrics.events';
import { expectError, expectJson } from '../test/api';
import { createTestDatabase, DB_KINDS, startHub, type TestHub } from '../test/hub';
import { startSmtpReceiver, startWebhookReceiver, type WebhookReceiver } from '../test/receivers';
import { snapshot, type SampleValues } from '../test/samples';
import { AlertEvaluator } from './alert-evaluator.service';
import { NotificationsService } from './notifications.service';

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sign = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe.each(DB_KINDS)('alert notifications on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  const receivers: WebhookReceiver[] = [];

  const receiver = async (opts: Parameters<typeof startWebhookReceiver>[0] = {}) => {
    const r = await startWebhookReceiver(opts);
    receivers.push(r);
    return r;
  };
  const emitOn = async (h: TestHub, agent: string, values: Partial<SampleValues>) => {
    h.app.get(HubBus).publish(METRICS_SAMPLE, snapshot(agent, Date.now(), values));
    await h.app.get(AlertEvaluator).flush();
  };
  const emit = (agent: string, values: Partial<SampleValues>) => emitOn(hub, agent, values);
  const createChannel = async (json: Record<string, unknown>, h = hub, token = admin) =>
    expectJson<Channel>(
      await h.fetch('/api/v1/alerts/channels', { method: 'POST', token, json }),
      201,
    );
  const disableOffline = async (h: TestHub, token: string) =>
    expectJson(
      await h.fetch('/api/v1/alerts/rules', {
        method: 'POST',
        token,
        json: { type: 'host_offline', enabled: false },
      }),
      200,
    );

  beforeAll(async () => {
    hub = await startHub(kind);
    admin = await hub.login();
    await disableOffline(hub, admin);
  });
  afterAll(async () => {
    await hub.close();
    for (const r of receivers) await r.close();
  });

  it('POSTs a signed JSON webhook for a new alert and for its clearing', async () => {
    const host = `nt-hook-${kind}`;
    const r = await receiver();
    const channel = await createChannel({
      name: 'ops hook',
      type: 'webhook',
      url: r.url,
      secret: 'hmac-key-1',
      agent_ids: [host],
    });
    expect(channel).toMatchObject({ has_secret: true, url: r.url, min_level: 'warning' });
    expect(JSON.stringify(channel)).not.toContain('hmac-key-1');

    await emit(host, { memory: 90 });
    const [first] = await until('the raise', () => (r.received.length ? r.received : undefined));
    expect(first.headers['x-tyto-signature']).toBe(sign('hmac-key-1', first.body));
    expect(first.headers['content-type']).toBe('application/json');
    const event = JSON.parse(first.body) as AlertEvent;
    expect(event).toMatchObject({
      change: 'raised',
      alert: { type: 'memory', level: 'warning', agent_id: host },
    });

    await emit(host, { memory: 10 });
    await until('the clearing', () => (r.received.length === 2 ? true : undefined));
    expect((JSON.parse(r.received[1].body) as AlertEvent).change).toBe('resolved');
    expect(r.received[1].headers['x-tyto-signature']).toBe(sign('hmac-key-1', r.received[1].body));

    const { channels } = await expectJson<ChannelListResponse>(
      await hub.fetch('/api/v1/alerts/channels', { token: admin }),
      200,
    );
    const listed = channels.find((c) => c.id === channel.id);
    expect(listed?.last_success_at).not.toBeNull();
    expect(JSON.stringify(channels)).not.toContain('hmac-key-1');
  });

  it('retries with back-off: a receiver failing twice gets the message exactly once', async () => {
    const host = `nt-retry-${kind}`;
    const r = await receiver({ failFirst: 2 });
    const channel = await createChannel({
      name: 'flaky',
      type: 'webhook',
      url: r.url,
      agent_ids: [host],
    });
    await emit(host, { cpu: 99 });
    await until('a failed attempt noted', async () => {
      const { channels } = await expectJson<ChannelListResponse>(
        await hub.fetch('/api/v1/alerts/channels', { token: admin }),
        200,
      );
      return channels.find((c) => c.id === channel.id)?.last_error ? true : undefined;
    });
    await until('the third attempt', () => (r.received.length === 1 ? true : undefined));
    expect(r.attempts).toHaveLength(3);
    // Same delivery each time: a receiver can tell a retry from a new message.
    expect(new Set(r.attempts.map((a) => a.headers['x-tyto-delivery'])).size).toBe(1);
    expect(r.attempts[0].headers['x-tyto-signature']).toBeUndefined();
    await new Promise((res) => setTimeout(res, 1500));
    await hub.app.get(NotificationsService).drain();
    expect(r.received).toHaveLength(1);
    const { channels } = await expectJson<ChannelListResponse>(
      await hub.fetch('/api/v1/alerts/channels', { token: admin }),
      200,
    );
    expect(channels.find((c) => c.id === channel.id)).toMatchObject({
      last_error: expect.stringContaining('HTTP 500') as string,
      last_success_at: expect.any(String) as string,
    });
  });

  it('mails through SMTP with nodemailer, logging in with the stored password', async () => {
    const host = `nt-mail-${kind}`;
    const smtp = await startSmtpReceiver({ username: 'tyto', password: 'smtp-pass' });
    try {
      const channel = await createChannel({
        name: 'oncall mail',
        type: 'email',
        email: {
          host: '127.0.0.1',
          port: smtp.port,
          security: 'none',
          username: 'tyto',
          from: 'tyto@example.com',
          to: ['oncall@example.com'],
        },
        secret: 'smtp-pass',
        agent_ids: [host],
        min_level: 'critical',
      });
      expect(channel.has_secret).toBe(true);
      await emit(host, { memory: 90 }); // warning: below the channel's minimum
      await emit(host, { memory: 99 }); // critical
      const [mail] = await until('a mail', () =>
        smtp.messages.length ? smtp.messages : undefined,
      );
      expect(mail.from).toBe('tyto@example.com');
      expect(mail.to).toEqual(['oncall@example.com']);
      expect(mail.raw).toMatch(/Subject: \[Tyto CRITICAL\] Memory 99% /);
      expect(mail.raw).toContain(`Host: ${host}`);
      await new Promise((res) => setTimeout(res, 500));
      expect(smtp.messages).toHaveLength(1);
    } finally {
      await smtp.close();
    }
  });

  it('sends a test message on request, to Slack-, Teams-, ntfy- and Gotify-style receivers', async () => {
    const r = await receiver();
    const sent: Record<string, unknown> = {};
    for (const type of ['slack', 'teams', 'ntfy', 'gotify'] as const) {
      const c = await createChannel({
        name: `${type} test`,
        type,
        url: `${r.url}/${type}`,
        secret: type === 'ntfy' || type === 'gotify' ? `${type}-token` : undefined,
        agent_ids: ['none'],
      });
      if (type === 'slack' || type === 'teams')
        expect(c.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\*\*\*$/);
      const res = await hub.fetch(`/api/v1/alerts/channels/${c.id}/test`, {
        method: 'POST',
        token: admin,
      });
      expect(res.status).toBe(202);
      const got = await until(`the ${type} test`, () =>
        r.received.find((x) => x.url.endsWith(`/${type}`)),
      );
      sent[type] = got;
    }
    const body = (t: string) => (sent[t] as { body: string }).body;
    const headers = (t: string) => (sent[t] as { headers: Record<string, string> }).headers;
    expect(JSON.parse(body('slack'))).toEqual({
      text: expect.stringContaining('[Tyto TEST]') as string,
    });
    expect(JSON.parse(body('teams'))).toMatchObject({ '@type': 'MessageCard' });
    expect(body('ntfy')).toContain('[Tyto TEST]');
    expect(headers('ntfy')['authorization']).toBe('Bearer ntfy-token');
    expect(headers('gotify')['x-gotify-key']).toBe('gotify-token');
    expect(JSON.parse(body('gotify'))).toMatchObject({
      title: expect.stringContaining('TEST') as string,
    });
  });

  it('refuses non-http URLs and link-local or metadata targets, and never follows redirects', async () => {
    for (const url of [
      'ftp://127.0.0.1/x',
      'file:///etc/passwd',
      'http://169.254.169.254/latest/meta-data',
      'http://[fe80::1]/',
      'http://[::ffff:169.254.169.254]/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'not a url',
    ]) {
      await expectError(
        await hub.fetch('/api/v1/alerts/channels', {
          method: 'POST',
          token: admin,
          json: { name: 'bad', type: 'webhook', url },
        }),
        400,
        'VALIDATION_FAILED',
      );
    }
    const target = await receiver();
    const redirecting = await receiver({ redirect: target.url });
    const c = await createChannel({
      name: 'redirects',
      type: 'webhook',
      url: redirecting.url,
      agent_ids: ['none'],
    });
    await hub.fetch(`/api/v1/alerts/channels/${c.id}/test`, { method: 'POST', token: admin });
    await until('the redirect refused', async () => {
      const { channels } = await expectJson<ChannelListResponse>(
        await hub.fetch('/api/v1/alerts/channels', { token: admin }),
        200,
      );
      return channels.find((x) => x.id === c.id)?.last_error?.includes('302') ? true : undefined;
    });
    expect(target.attempts).toHaveLength(0);
  });

  it('keeps quiet inside a silence and for an acknowledged alert, until it escalates', async () => {
    const host = `nt-quiet-${kind}`;
    const r = await receiver();
    await createChannel({
      name: 'quiet',
      type: 'webhook',
      url: r.url,
      agent_ids: [host],
      repeat_interval: 1,
    });
    await emit(host, { cpu: 85 });
    await until('the raise', () => (r.received.length === 1 ? true : undefined));
    const { alerts } = await expectJson<AlertListResponse>(
      await hub.fetch(`/api/v1/alerts?agent_id=${host}`, { token: admin }),
      200,
    );
    // Reminders every second while unacknowledged…
    await until('a reminder', () => (r.received.length >= 2 ? true : undefined));
    expect((JSON.parse(r.received[1].body) as AlertEvent).change).toBe('repeat');
    await hub.fetch(`/api/v1/alerts/${alerts[0].id}/acknowledge`, { method: 'POST', token: admin });
    await hub.app.get(NotificationsService).drain();
    const afterAck = r.received.length;
    await new Promise((res) => setTimeout(res, 6000));
    expect(r.received.length).toBe(afterAck);
    // …and escalation breaks the quiet.
    await emit(host, { cpu: 99 });
    await until('the escalation', () =>
      r.received.some((x) => (JSON.parse(x.body) as AlertEvent).change === 'escalated')
        ? true
        : undefined,
    );

    const silenced = `${host}-maint`;
    const s = await hub.fetch('/api/v1/alerts/silences', {
      method: 'POST',
      token: admin,
      json: {
        agent_id: silenced,
        ends_at: new Date(Date.now() + 600_000).toISOString(),
        reason: 'maintenance',
      },
    });
    expect(s.status).toBe(201);
    const r2 = await receiver();
    await createChannel({ name: 'maint', type: 'webhook', url: r2.url, agent_ids: [silenced] });
    await emit(silenced, { cpu: 99 });
    await emit(silenced, { cpu: 1 });
    await hub.app.get(NotificationsService).drain();
    await new Promise((res) => setTimeout(res, 300));
    expect(r2.attempts).toHaveLength(0);
  }, 30_000);

  it('neither forgets nor re-notifies active alerts across a restart', async () => {
    const db = await createTestDatabase(kind);
    const host = `nt-restart-${kind}`;
    const r = await receiver();
    try {
      const first = await startHub(kind, {}, db);
      const token = await first.login();
      await disableOffline(first, token);
      await createChannel(
        { name: 'restart', type: 'webhook', url: r.url, agent_ids: [host] },
        first,
        token,
      );
      await emitOn(first, host, { memory: 99 });
      await until('the raise', () => (r.received.length === 1 ? true : undefined));
      const before = await expectJson<AlertListResponse>(
        await first.fetch(`/api/v1/alerts?agent_id=${host}`, { token }),
        200,
      );
      await first.close();

      const second = await startHub(kind, {}, db);
      const token2 = await second.login();
      await emitOn(second, host, { memory: 99 });
      await second.app.get(NotificationsService).drain();
      const after = await expectJson<AlertListResponse>(
        await second.fetch(`/api/v1/alerts?agent_id=${host}`, { token: token2 }),
        200,
      );
      expect(after.alerts.map((a) => a.id)).toEqual(before.alerts.map((a) => a.id));
      await new Promise((res) => setTimeout(res, 500));
      expect(r.received).toHaveLength(1);
      await emitOn(second, host, { memory: 5 });
      await until('the clearing', () => (r.received.length === 2 ? true : undefined));
      expect((JSON.parse(r.received[1].body) as AlertEvent).change).toBe('resolved');
      await second.close();
    } finally {
      await db.drop();
    }
  });
});
