import type { CreateApiTokenResponse } from '@tyto/contracts';
import { expectError, expectJson } from '../test/api';
import { DB_KINDS, startHub, type TestHub } from '../test/hub';

interface Family {
  help: string;
  type: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;

/**
 * A strict parser of the Prometheus text format: every family has HELP then TYPE before its
 * samples, every sample belongs to the family announced last, every value is a number.
 */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: { name: string; family: Family } | null = null;
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      expect(name).toMatch(NAME);
      if (kind === 'HELP') {
        expect(families.has(name)).toBe(false);
        current = { name, family: { help: rest, type: '', samples: [] } };
        families.set(name, current.family);
      } else {
        expect(current?.name).toBe(name);
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(rest);
        if (current) current.family.type = rest;
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m || !current) throw new Error(`not a sample line: ${line}`);
    const [, name, labelText = '', raw] = m;
    const base = current.name;
    const suffixes = current.family.type === 'histogram' ? ['_bucket', '_sum', '_count'] : [''];
    if (!suffixes.some((s) => name === base + s) && name !== base) {
      throw new Error(`sample ${name} outside family ${base}`);
    }
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const l = LABEL.exec(labelText);
      if (!l) throw new Error(`bad labels: ${labelText}`);
      labels[l[1]] = l[2];
    }
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`bad value: ${line}`);
    current.family.samples.push({ name, labels, value });
  }
  return families;
}

describe.each(DB_KINDS)('Prometheus /metrics on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  let scrapeToken: string;
  beforeAll(async () => {
    hub = await startHub(kind);
    admin = await hub.login();
    const res = await hub.fetch('/api/v1/tokens', {
      method: 'POST',
      token: admin,
      json: { name: 'prometheus', permissions: ['metrics:scrape'] },
    });
    scrapeToken = (await expectJson<CreateApiTokenResponse>(res, 201)).token;
    // The local sampler publishes every second; wait for its first sample.
    for (let i = 0; i < 50; i++) {
      const text = await (await hub.fetch('/metrics', { token: scrapeToken })).text();
      if (text.includes('tyto_cpu_usage_percent{agent_id="local"}')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  afterAll(async () => {
    await hub.close();
  });

  it('refuses a scrape without a token, or with one lacking metrics:scrape', async () => {
    await expectError(await hub.fetch('/metrics'), 401, 'UNAUTHENTICATED');
    const res = await hub.fetch('/api/v1/tokens', {
      method: 'POST',
      token: admin,
      json: { name: 'dash', permissions: ['dashboard:view'] },
    });
    const other = (await expectJson<CreateApiTokenResponse>(res, 201)).token;
    await expectError(await hub.fetch('/metrics', { token: other }), 403, 'FORBIDDEN');
  });

  it('answers the text exposition format with the host metrics of agent local', async () => {
    await hub.fetch('/api/v1/users/some-id', { token: admin });
    const res = await hub.fetch('/metrics', { token: scrapeToken });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parseExposition(await res.text());
    const local = (name: string, extra: Record<string, string> = {}) =>
      families
        .get(name)
        ?.samples.filter((s) =>
          Object.entries({ agent_id: 'local', ...extra }).every(([k, v]) => s.labels[k] === v),
        ) ?? [];

    for (const [name, type] of [
      ['tyto_cpu_usage_percent', 'gauge'],
      ['tyto_memory_used_bytes', 'gauge'],
      ['tyto_memory_total_bytes', 'gauge'],
      ['tyto_disk_used_bytes', 'gauge'],
      ['tyto_disk_total_bytes', 'gauge'],
      ['tyto_network_receive_bytes_per_second', 'gauge'],
      ['tyto_network_transmit_bytes_per_second', 'gauge'],
      ['tyto_load1', 'gauge'],
      ['tyto_sample_timestamp_seconds', 'gauge'],
      ['tyto_http_requests_total', 'counter'],
      ['tyto_http_request_duration_seconds', 'histogram'],
      ['tyto_sse_clients', 'gauge'],
      ['tyto_password_hash_queue', 'gauge'],
      ['tyto_process_cpu_seconds_total', 'counter'],
      ['tyto_nodejs_heap_size_used_bytes', 'gauge'],
    ]) {
      expect({ name, type: families.get(name)?.type, help: !!families.get(name)?.help }).toEqual({
        name,
        type,
        help: true,
      });
    }
    const [cpu] = local('tyto_cpu_usage_percent');
    expect(cpu.value).toBeGreaterThanOrEqual(0);
    expect(cpu.value).toBeLessThanOrEqual(100);
    const [used] = local('tyto_memory_used_bytes');
    const [total] = local('tyto_memory_total_bytes');
    expect(used.value).toBeGreaterThan(0);
    expect(total.value).toBeGreaterThanOrEqual(used.value);
    const [ts] = local('tyto_sample_timestamp_seconds');
    expect(Math.abs(ts.value - Date.now() / 1000)).toBeLessThan(30);
    expect(local('tyto_load1')).toHaveLength(1);
    for (const d of local('tyto_disk_total_bytes')) expect(d.labels['mountpoint']).toBeTruthy();
    for (const n of local('tyto_network_receive_bytes_per_second')) {
      expect(n.labels['interface']).toBeTruthy();
      expect(n.value).toBeGreaterThanOrEqual(0);
    }

    // Requests are counted by route pattern, never by the raw URL.
    const http = families.get('tyto_http_requests_total')?.samples ?? [];
    expect(http).toContainEqual({
      name: 'tyto_http_requests_total',
      labels: { method: 'GET', route: '/api/v1/users/:id', status: '404' },
      value: 1,
    });
    expect(http.some((s) => s.labels['route']?.includes('some-id'))).toBe(false);

    if (kind === 'postgres') {
      expect(families.get('tyto_db_pool_connections')?.samples.length).toBe(2);
    }
  });

  it('lets a session holding metrics:scrape scrape too', async () => {
    const res = await hub.fetch('/metrics', { token: admin });
    expect(res.status).toBe(200);
  });
});
