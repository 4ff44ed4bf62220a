import { HubBus } from '../common/bus';
import {
  LOG_BATCH_EVENT,
  LogListResponseSchema,
  type LogBatchEvent,
  LogHistogramResponseSchema,
  matchesLogSearch,
  parseLogSearch,
  type LogEntry,
  type LogHistogramResponse,
  type LogLine,
  type LogListResponse,
} from '@tyto/contracts';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expectError, expectJson, userWithGrants } from '../test/api';
import { DB_KINDS, startHub, type TestHub } from '../test/hub';
import { LogIngestService } from './log-ingest.service';
import { LogRetentionJob } from './log-retention.job';

interface SseEvent {
  event: string;
  data: unknown;
  at: number;
}

/** An open log tail that records every event and when the server ended it. */
async function openTail(hub: TestHub, token: string, query = '') {
  const res = await hub.fetch(`/api/v1/logs/stream${query}`, { token });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  if (!res.body) throw new Error('stream has no body');
  const reader = res.body.getReader();
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  const ended = (async () => {
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
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
      await new Promise((r) => setTimeout(r, 20));
    }
    return events.filter((e) => e.event === event);
  };
  const endedWithin = async (since: number) =>
    Promise.race([
      ended.then((at) => at - since),
      new Promise<'open'>((r) => setTimeout(() => r('open'), 5_000).unref()),
    ]);
  return { events, waitFor, endedWithin, cancel: () => reader.cancel().catch(() => undefined) };
}

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function line(message: string, minutes: number, extra: Partial<LogLine> = {}): LogLine {
  return {
    timestamp: at(minutes),
    source: 'journal',
    source_name: 'nginx.service',
    level: 'info',
    message,
    fields: {},
    ...extra,
  };
}

/** The scenario every query runs against: two hosts, three sources, known words. */
const FIXTURE: [string, LogLine][] = [
  [
    'local',
    line('Connection refused to upstream backend', 1, { level: 'error', fields: { pid: '1234' } }),
  ],
  ['local', line('GET /index.html 200 connection reused', 2)],
  ['local', line('worker process started', 3, { level: 'debug' })],
  [
    'local',
    line('disk almost full on /var', 4, {
      source: 'file',
      source_name: '/var/log/syslog',
      level: 'warning',
    }),
  ],
  [
    'local',
    line('backup finished successfully', 5, {
      source: 'docker',
      source_name: 'backup',
      level: 'info',
    }),
  ],
  ['web-01', line('Connection refused by database', 6, { level: 'critical' })],
  [
    'web-01',
    line('connections pool resized to 20', 7, {
      source: 'docker',
      source_name: 'api',
      level: 'warning',
    }),
  ],
  [
    'web-01',
    line('request timed out after 30s', 8, {
      source: 'docker',
      source_name: 'api',
      level: 'error',
    }),
  ],
  [
    'web-01',
    line('user admin logged in', 9, { source: 'file', source_name: '/srv/app/app.jsonl' }),
  ],
  ['web-01', line('refused: upstream.backend unreachable', 10, { level: 'error' })],
];

describe.each(DB_KINDS)('logs on %s', (kind) => {
  let hub: TestHub;
  let admin: string;
  let dir: string;
  let followed: string;

  const ingest = async (batches: [string, LogLine][]) => {
    const bus = hub.app.get(HubBus);
    for (const [agent, l] of batches) {
      const batch: LogBatchEvent = { agent_id: agent, lines: [l] };
      bus.publish(LOG_BATCH_EVENT, batch);
    }
    await hub.app.get(LogIngestService).flush();
  };
  const query = async (qs: string): Promise<LogListResponse> => {
    const body = await expectJson<LogListResponse>(
      await hub.fetch(`/api/v1/logs${qs}`, { token: admin }),
      200,
    );
    expect(LogListResponseSchema.parse(body)).toBeTruthy();
    return body;
  };
  const messages = (r: LogListResponse) => r.entries.map((e) => e.message);
  const fixtureMessages = (keep: (agent: string, l: LogLine) => boolean) =>
    FIXTURE.filter(([a, l]) => keep(a, l))
      .map(([, l]) => l.message)
      .reverse();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tyto-logs-it-'));
    followed = path.join(dir, 'app.log');
    writeFileSync(followed, '');
    hub = await startHub(kind, {
      TYTO_LOG_FILES: followed,
      TYTO_LOG_JOURNAL: 'off',
      TYTO_LOG_DOCKER: 'off',
    });
    admin = await hub.login();
    await ingest(FIXTURE);
  });
  afterAll(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('GET /api/v1/logs', () => {
    const range = `from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(11))}`;

    it('answers newest first in the seed shape, with exact totals', async () => {
      const r = await query(`?${range}`);
      expect(r.total).toBe(10);
      expect(r.total_estimated).toBe(false);
      expect(messages(r)).toEqual(fixtureMessages(() => true));
      const first = r.entries.at(-1) as LogEntry;
      expect(first).toEqual({
        id: expect.stringMatching(/^\d+$/),
        timestamp: at(1),
        agent_id: 'local',
        source: 'journal',
        source_name: 'nginx.service',
        level: 'error',
        message: 'Connection refused to upstream backend',
        fields: { pid: '1234' },
      });
    });

    it('applies every filter, alone and combined', async () => {
      const cases: [string, (a: string, l: LogLine) => boolean][] = [
        ['agent_id=web-01', (a) => a === 'web-01'],
        ['source=docker', (_, l) => l.source === 'docker'],
        ['source_name=api', (_, l) => l.source_name === 'api'],
        ['level=error', (_, l) => l.level === 'error'],
        ['level=error,critical', (_, l) => ['error', 'critical'].includes(l.level)],
        [
          `from=${encodeURIComponent(at(3))}&to=${encodeURIComponent(at(6))}`,
          (_, l) => l.timestamp >= at(3) && l.timestamp <= at(6),
        ],
        ['agent_id=local&source=journal', (a, l) => a === 'local' && l.source === 'journal'],
        [
          'agent_id=web-01&level=error&source=docker',
          (a, l) => a === 'web-01' && l.level === 'error' && l.source === 'docker',
        ],
        ['q=refused&agent_id=web-01', (a, l) => a === 'web-01' && /refused/i.test(l.message)],
        ['q=refused&level=error', (_, l) => l.level === 'error' && /refused/i.test(l.message)],
        [
          `q=connection&from=${encodeURIComponent(at(2))}`,
          (_, l) => /\bconnection\b/i.test(l.message) && l.timestamp >= at(2),
        ],
        [
          'q=refused&source=journal&source_name=nginx.service&agent_id=local&level=error',
          (a, l) => a === 'local' && /refused/i.test(l.message) && l.level === 'error',
        ],
      ];
      for (const [qs, keep] of cases) {
        const r = await query(`?${qs}`);
        const want = fixtureMessages(keep);
        expect({ qs, got: messages(r), total: r.total }).toEqual({
          qs,
          got: want,
          total: want.length,
        });
      }
    });

    it('searches phrases, excludes words and matches prefixes', async () => {
      const cases: [string, string[]][] = [
        [
          'refused',
          [
            'refused: upstream.backend unreachable',
            'Connection refused by database',
            'Connection refused to upstream backend',
          ],
        ],
        [
          '"connection refused"',
          ['Connection refused by database', 'Connection refused to upstream backend'],
        ],
        ['"refused connection"', []],
        [
          'refused -database',
          ['refused: upstream.backend unreachable', 'Connection refused to upstream backend'],
        ],
        ['refused -"upstream backend"', ['Connection refused by database']],
        [
          'connect*',
          [
            'connections pool resized to 20',
            'Connection refused by database',
            'GET /index.html 200 connection reused',
            'Connection refused to upstream backend',
          ],
        ],
        [
          'upstream.backend',
          ['refused: upstream.backend unreachable', 'Connection refused to upstream backend'],
        ],
        [
          'CONNECTION Refused',
          ['Connection refused by database', 'Connection refused to upstream backend'],
        ],
        [
          '-refused -connection* -connections',
          [
            'user admin logged in',
            'request timed out after 30s',
            'backup finished successfully',
            'disk almost full on /var',
            'worker process started',
          ],
        ],
        ['index.html', ['GET /index.html 200 connection reused']],
        ['nothingmatchesthis', []],
      ];
      for (const [q, want] of cases) {
        const r = await query(`?q=${encodeURIComponent(q)}`);
        expect({ q, got: messages(r) }).toEqual({ q, got: want });
      }
    });

    it('pages with limit and offset', async () => {
      const all = messages(await query('?limit=1000'));
      const pages: string[] = [];
      for (let offset = 0; offset < 10; offset += 3) {
        const r = await query(`?limit=3&offset=${offset}`);
        expect(r.total).toBe(10);
        pages.push(...messages(r));
      }
      expect(pages).toEqual(all);
      expect((await query('?limit=3&offset=9&q=refused')).entries).toEqual([]);
      expect((await query('?q=refused&limit=1&offset=1')).entries.map((e) => e.message)).toEqual([
        'Connection refused by database',
      ]);
      expect((await query('')).entries.length).toBe(10);
    });

    it('never answers 500 to hostile search text: results or 400, and the tables survive', async () => {
      const hostile = [
        "' OR 1=1 --",
        "'; DROP TABLE log_entries; --",
        '"unbalanced',
        'NEAR(refused connection)',
        'NEAR(',
        '*',
        '^refused',
        'message:refused',
        'col:',
        'refused AND',
        'OR',
        'NOT refused',
        '(refused',
        'refused)',
        '!refused',
        'refused & database | x',
        "'refused':*",
        '<-> refused',
        '\\"',
        '""',
        '-',
        '-*',
        '{body}: refused',
        'refused*"',
        '%_%',
        'é*',
        '日本語',
        'a'.repeat(512),
        Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '),
      ];
      for (const q of hostile) {
        const res = await hub.fetch(`/api/v1/logs?q=${encodeURIComponent(q)}`, { token: admin });
        expect({ q, status: [200, 400].includes(res.status) }).toEqual({ q, status: true });
        const body = (await res.json()) as Record<string, unknown>;
        if (res.status === 400) expect(body['code']).toBe('VALIDATION_FAILED');
        else expect(LogListResponseSchema.safeParse(body).success).toBe(true);
      }
      expect((await query('?limit=1000')).total).toBe(10);
      expect(messages(await query(`?q=${encodeURIComponent('NOT refused')}`))).toEqual([]);
      expect(messages(await query(`?q=${encodeURIComponent("' OR 1=1 --")}`))).toEqual([]);
    });

    it('refuses bad parameters with 400 and the error shape', async () => {
      for (const qs of [
        'level=bogus',
        'level=',
        'source=syslog',
        'limit=0',
        'limit=1001',
        'offset=-1',
        'from=yesterday',
        `from=${encodeURIComponent(at(5))}&to=${encodeURIComponent(at(1))}`,
        'q=%22unclosed',
        'q=***',
        'q=a%00b',
        'agent_id=a%1bb',
        'nope=1',
        'level=error&level=info',
      ]) {
        const body = await expectError(
          await hub.fetch(`/api/v1/logs?${qs}`, { token: admin }),
          400,
          'VALIDATION_FAILED',
        );
        expect(body.details['issues']).toEqual(expect.any(Array));
      }
    });

    it('stores and returns ANSI escapes, markup, newlines and invalid UTF-8 intact', async () => {
      const message =
        '\u001b[31mred\u001b[0m <script>alert(1)</script>\nsecond line\tbad\\xff\\xfe';
      await ingest([
        ['local', line(message, 30, { fields: { html: '<b>x</b>', nul: 'a\u0000b' } })],
      ]);
      const r = await query('?q=alert');
      expect(r.entries).toHaveLength(1);
      expect(r.entries[0].message).toBe(message);
      expect(r.entries[0].fields).toEqual({ html: '<b>x</b>', nul: 'a\\x00b' });
    });

    it('flags the total as estimated past 10,000 matches, on both plans', async () => {
      const bulk: [string, LogLine][] = [];
      for (let i = 0; i < 10_050; i++) {
        bulk.push([
          'bulk-host',
          line(`bulk line ${i} ${i % 1000 === 0 ? 'needle' : 'hay'}`, 100 + i / 1000),
        ]);
      }
      const bus = hub.app.get(HubBus);
      for (let i = 0; i < bulk.length; i += 2000) {
        bus.publish(LOG_BATCH_EVENT, {
          agent_id: 'bulk-host',
          lines: bulk.slice(i, i + 2000).map(([, l]) => l),
        } satisfies LogBatchEvent);
      }
      await hub.app.get(LogIngestService).flush();
      const all = await query('?agent_id=bulk-host&limit=5');
      expect(all.total_estimated).toBe(true);
      expect(all.total).toBeGreaterThan(10_000);
      expect(messages(all)[0]).toBe('bulk line 10049 hay');
      const common = await query('?q=hay&limit=2');
      expect(common.total_estimated).toBe(true);
      expect(messages(common)).toEqual(['bulk line 10049 hay', 'bulk line 10048 hay']);
      const rare = await query('?q=needle');
      expect(rare).toMatchObject({ total: 11, total_estimated: false });
      expect(messages(rare)[0]).toBe('bulk line 10000 needle');
      const paged = await query('?q=hay&limit=1&offset=3');
      expect(messages(paged)).toEqual(['bulk line 10046 hay']);
      // A common word missing from the newest rows: the walk back in time gives up at its bound
      // and the sorted plan answers.
      const straw: LogLine[] = [];
      for (let i = 0; i < 1500; i++) straw.push(line(`bulk straw ${i}`, 120 + i / 1000));
      bus.publish(LOG_BATCH_EVENT, { agent_id: 'bulk-host', lines: straw } satisfies LogBatchEvent);
      await hub.app.get(LogIngestService).flush();
      const behind = await query('?q=hay&limit=2');
      expect(behind.total_estimated).toBe(true);
      expect(messages(behind)).toEqual(['bulk line 10049 hay', 'bulk line 10048 hay']);
    });

    it('orders matches by time, not arrival, when a newer line was stored before older ones', async () => {
      // A host whose clock runs ahead: its line arrives first, yet is the newest by far, and
      // hundreds of matches stored after it are older.
      await ingest([['fast-clock', line('skewed clock ahead', 900)]]);
      const later: [string, LogLine][] = [];
      for (let i = 0; i < 700; i++)
        later.push(['slow-clock', line(`skewed line ${i}`, 800 + i / 100)]);
      await ingest(later);
      const r = await query('?q=skewed&limit=3');
      expect(r).toMatchObject({ total: 701, total_estimated: false });
      expect(messages(r)).toEqual(['skewed clock ahead', 'skewed line 699', 'skewed line 698']);
      const excluded = await query('?q=skewed%20-line&limit=3');
      expect(messages(excluded)).toEqual(['skewed clock ahead']);
      const paged = await query('?q=skewed&limit=2&offset=1');
      expect(messages(paged)).toEqual(['skewed line 699', 'skewed line 698']);
      const host = await query('?q=skewed&agent_id=slow-clock&limit=1');
      expect(messages(host)).toEqual(['skewed line 699']);
    });

    it('is refused without logs:view', async () => {
      const { token } = await userWithGrants(hub, admin, `nologs-${kind}`, ['dashboard:view']);
      await expectError(await hub.fetch('/api/v1/logs', { token }), 403, 'FORBIDDEN');
      await expectError(await hub.fetch('/api/v1/logs/stream', { token }), 403, 'FORBIDDEN');
      await expectError(await hub.fetch('/api/v1/logs'), 401, 'UNAUTHENTICATED');
    });
  });

  describe('GET /api/v1/logs/histogram', () => {
    const histogram = async (qs: string): Promise<LogHistogramResponse> => {
      const body = await expectJson<LogHistogramResponse>(
        await hub.fetch(`/api/v1/logs/histogram${qs}`, { token: admin }),
        200,
      );
      expect(LogHistogramResponseSchema.parse(body)).toBeTruthy();
      return body;
    };
    const range = `from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(11))}`;
    /** The fixture's lines a filter keeps, counted per minute 0–11 as the database must. */
    const perMinute = (keep: (a: string, l: LogLine) => boolean) => {
      const counts = new Array<number>(12).fill(0);
      for (const [a, l] of FIXTURE) {
        if (keep(a, l)) counts[(Date.parse(l.timestamp) - T0) / 60_000] += 1;
      }
      return counts;
    };

    it('counts matches per bar over the range, empty bars included', async () => {
      const h = await histogram(`?${range}&interval=1m`);
      expect(h).toMatchObject({ from: at(0), to: at(12), interval_ms: 60_000, total: 10 });
      expect(h.buckets.map((b) => b.timestamp)).toEqual(
        Array.from({ length: 12 }, (_, i) => at(i)),
      );
      expect(h.buckets.map((b) => b.count)).toEqual(perMinute(() => true));
    });

    it('applies the same filters as the query, full-text search included', async () => {
      const search = (q: string) => {
        const parsed = parseLogSearch(q);
        return (l: LogLine) => matchesLogSearch(parsed, l.message);
      };
      const cases: [string, (a: string, l: LogLine) => boolean][] = [
        ['agent_id=web-01', (a) => a === 'web-01'],
        [
          'source=docker&level=error,warning',
          (_, l) => l.source === 'docker' && ['error', 'warning'].includes(l.level),
        ],
        ['source_name=api', (_, l) => l.source_name === 'api'],
        ['q=refused', (_, l) => search('refused')(l)],
        ['q=%22connection%20refused%22', (_, l) => search('"connection refused"')(l)],
        [
          'q=refused%20-database&agent_id=local',
          (a, l) => a === 'local' && search('refused -database')(l),
        ],
        ['q=connect*&level=warning', (_, l) => l.level === 'warning' && search('connect*')(l)],
        ['q=-refused', (_, l) => search('-refused')(l)],
      ];
      for (const [qs, keep] of cases) {
        const h = await histogram(`?${range}&interval=1m&${qs}`);
        const want = perMinute(keep);
        expect({ qs, got: h.buckets.map((b) => b.count) }).toEqual({ qs, got: want });
        expect(h.total).toBe(want.reduce((x, y) => x + y, 0));
        // The bars add up to the query's total for the same filters.
        expect((await query(`?${range}&${qs}`)).total).toBe(h.total);
      }
    });

    it('picks a round bar width for about `buckets` bars, and starts at the oldest match without from', async () => {
      const five = await histogram(`?${range}&buckets=5`);
      expect(five.interval_ms).toBe(300_000);
      expect(five.buckets.map((b) => [b.timestamp, b.count])).toEqual([
        [at(0), 4],
        [at(5), 5],
        [at(10), 1],
      ]);
      // No `from`: the bars begin at web-01's first line (minute 6).
      const open = await histogram(`?agent_id=web-01&to=${encodeURIComponent(at(11))}&interval=1m`);
      expect(open.from).toBe(at(6));
      expect(open.buckets.map((b) => b.count)).toEqual([1, 1, 1, 1, 1, 0]);
      // Nothing matches: the last hour, all empty.
      const none = await histogram(`?q=nothingmatchesthis&to=${encodeURIComponent(at(60))}`);
      expect(none.total).toBe(0);
      expect(Date.parse(none.to) - Date.parse(none.from)).toBeGreaterThanOrEqual(3_600_000);
      expect(none.buckets.every((b) => b.count === 0)).toBe(true);
      // An interval too fine for the range is widened to at most 500 bars.
      const wide = await histogram(`?${range}&interval=1s`);
      expect(wide.interval_ms).toBe(5000);
      expect(wide.total).toBe(10);
    });

    it('refuses bad parameters with 400, hostile search text never 500, and needs logs:view', async () => {
      for (const qs of [
        'buckets=0',
        'buckets=501',
        'interval=2m',
        'level=bogus',
        'q=%22unclosed',
        'limit=10',
        `from=${encodeURIComponent(at(5))}&to=${encodeURIComponent(at(1))}`,
      ]) {
        await expectError(
          await hub.fetch(`/api/v1/logs/histogram?${qs}`, { token: admin }),
          400,
          'VALIDATION_FAILED',
        );
      }
      for (const q of ["' OR 1=1 --", 'NEAR(refused', 'col:x', '^refused', 'refused*"']) {
        const res = await hub.fetch(`/api/v1/logs/histogram?q=${encodeURIComponent(q)}`, {
          token: admin,
        });
        expect({ q, ok: [200, 400].includes(res.status) }).toEqual({ q, ok: true });
      }
      const { token } = await userWithGrants(hub, admin, `nohisto-${kind}`, ['dashboard:view']);
      await expectError(await hub.fetch('/api/v1/logs/histogram', { token }), 403, 'FORBIDDEN');
    });
  });

  describe('GET /api/v1/logs/stream', () => {
    it('delivers a line written to a followed file within 2 s, with the filters applied', async () => {
      const tail = await openTail(hub, admin, '?source=file&q=hello');
      const other = await openTail(hub, admin, '?level=error');
      appendFileSync(followed, 'hello from the followed file\nsomething else\n');
      const t0 = Date.now();
      const [ev] = await tail.waitFor('log', 1, 5000);
      expect(ev).toBeDefined();
      expect(ev.at - t0).toBeLessThan(2000);
      expect(ev.data).toMatchObject({
        agent_id: 'local',
        source: 'file',
        source_name: followed,
        message: 'hello from the followed file',
        id: expect.stringMatching(/^\d+$/),
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(tail.events.filter((e) => e.event === 'log')).toHaveLength(1);
      expect(other.events.filter((e) => e.event === 'log')).toHaveLength(0);
      // And it was stored.
      const stored = await query(`?source_name=${encodeURIComponent(followed)}`);
      expect(messages(stored)).toEqual(['something else', 'hello from the followed file']);
      await tail.cancel();
      await other.cancel();
    });

    it('skips lines for a client that is not reading, without slowing a fast one', async () => {
      const fast = await openTail(hub, admin, '?agent_id=flood');
      // A raw client that reads its headers, then stops reading.
      const url = new URL('/api/v1/logs/stream?agent_id=flood', hub.baseUrl);
      const slow = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.get(url, { headers: { authorization: `Bearer ${admin}` } }, resolve);
        req.on('error', reject);
      });
      expect(slow.statusCode).toBe(200);
      slow.pause();
      const big = 'x'.repeat(4000);
      const total = 3000;
      const bus = hub.app.get(HubBus);
      for (let i = 0; i < total; i += 500) {
        const lines = Array.from({ length: 500 }, (_, k) => line(`flood ${i + k} ${big}`, 200));
        bus.publish(LOG_BATCH_EVENT, { agent_id: 'flood', lines } satisfies LogBatchEvent);
        await hub.app.get(LogIngestService).flush();
        // The fast client reads as lines come; the slow one reads nothing.
        await fast.waitFor('log', i + 500, 10_000);
      }
      const got = await fast.waitFor('log', total, 20_000);
      expect(got).toHaveLength(total);
      expect(fast.events.some((e) => e.event === 'dropped')).toBe(false);
      // The slow one resumes: it was told how many it missed.
      let text = '';
      slow.on('data', (c: Buffer) => {
        text += c.toString('latin1');
      });
      slow.resume();
      const waitText = async (s: string) => {
        const deadline = Date.now() + 10_000;
        while (!text.includes(s) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await waitText('event: dropped');
      bus.publish(LOG_BATCH_EVENT, {
        agent_id: 'flood',
        lines: [line('after the flood', 201)],
      } satisfies LogBatchEvent);
      await hub.app.get(LogIngestService).flush();
      await waitText('after the flood');
      const dropped = [...text.matchAll(/event: dropped\ndata: \{"dropped":(\d+)\}/g)].map((m) =>
        Number(m[1]),
      );
      expect(dropped.length).toBeGreaterThan(0);
      const received = (text.match(/event: log\n/g) ?? []).length;
      expect(text).toContain('after the flood');
      expect(received + dropped.reduce((a, b) => a + b, 0)).toBe(total + 1);
      slow.destroy();
      await fast.cancel();
    });

    it('ends within a second of logout and of losing logs:view', async () => {
      const token = await hub.login();
      const tail = await openTail(hub, token);
      await new Promise((r) => setTimeout(r, 100));
      const t0 = Date.now();
      expect((await hub.fetch('/api/v1/auth/logout', { method: 'POST', token })).status).toBe(204);
      expect(await tail.endedWithin(t0)).toBeLessThan(1000);
      expect(tail.events.at(-1)).toMatchObject({ event: 'end', data: { code: 'SESSION_EXPIRED' } });

      const { role, token: viewer } = await userWithGrants(hub, admin, `tailer-${kind}`, [
        'logs:view',
      ]);
      const second = await openTail(hub, viewer);
      await new Promise((r) => setTimeout(r, 100));
      const t1 = Date.now();
      const res = await hub.fetch(`/api/v1/roles/${role.id}`, {
        method: 'PUT',
        token: admin,
        json: { permissions: ['dashboard:view'] },
      });
      expect(res.status).toBe(200);
      expect(await second.endedWithin(t1)).toBeLessThan(1000);
      expect(second.events.at(-1)).toMatchObject({ event: 'end', data: { code: 'FORBIDDEN' } });
    });
  });

  describe('retention', () => {
    it('deletes lines past TYTO_LOG_RETENTION, from the table and the index', async () => {
      const job = hub.app.get(LogRetentionJob);
      const now = Date.now();
      const old = new Date(now - 8 * 86_400_000).toISOString();
      const recent = new Date(now - 60_000).toISOString();
      await ingest([
        ['ret-a', line('expired line', 0, { timestamp: old })],
        ['ret-a', line('kept line', 0, { timestamp: recent })],
      ]);
      await job.runOnce(now);
      expect(messages(await query('?agent_id=ret-a'))).toEqual(['kept line']);
      // The index rows went with them: a search finds nothing of the deleted line.
      expect((await query('?q=expired')).total).toBe(0);
    });
  });
});

describe.each(DB_KINDS)('log retention by size on %s', (kind) => {
  it('cuts a host back to TYTO_LOG_MAX_BYTES, oldest first, leaving other hosts alone', async () => {
    const hub = await startHub(kind, {
      TYTO_LOG_MAX_BYTES: '1MB',
      TYTO_LOG_JOURNAL: 'off',
      TYTO_LOG_DOCKER: 'off',
    });
    try {
      const bus = hub.app.get(HubBus);
      const payload = 'p'.repeat(1000);
      const now = Date.now();
      // Recent lines: the age limit (7 days) leaves them alone, only the size limit applies.
      const lines = Array.from({ length: 3000 }, (_, i) =>
        line(`big ${i} ${payload}`, 0, {
          timestamp: new Date(now - (3000 - i) * 1000).toISOString(),
        }),
      );
      bus.publish(LOG_BATCH_EVENT, { agent_id: 'big-host', lines } satisfies LogBatchEvent);
      bus.publish(LOG_BATCH_EVENT, {
        agent_id: 'small-host',
        lines: lines.slice(0, 10),
      } satisfies LogBatchEvent);
      await hub.app.get(LogIngestService).flush();
      await hub.app.get(LogRetentionJob).runOnce();
      const token = await hub.login();
      const big = await expectJson<LogListResponse>(
        await hub.fetch('/api/v1/logs?agent_id=big-host&limit=1000', { token }),
        200,
      );
      // ~1.1 kB per line: under 1 MB is at most ~900 lines, and the newest are the ones kept.
      expect(big.total).toBeLessThan(1000);
      expect(big.total).toBeGreaterThan(800);
      expect(big.entries[0].message.startsWith('big 2999 ')).toBe(true);
      const small = await expectJson<LogListResponse>(
        await hub.fetch('/api/v1/logs?agent_id=small-host', { token }),
        200,
      );
      expect(small.total).toBe(10);
    } finally {
      await hub.close();
    }
  });
});
