import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub, type TestHub } from '../test/hub';

/** The policy the web app runs under, written out so a change to it is a visible diff here. */
const EXPECTED_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

const directives = (csp: string | null) =>
  (csp ?? '')
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean);

/** The headers every answer of the hub carries, pages, API calls and errors alike. */
function expectBrowserHeaders(res: Response): void {
  expect(directives(res.headers.get('content-security-policy'))).toEqual(EXPECTED_CSP);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  // Helmet's defaults that docs/security.md lists as kept.
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  expect(res.headers.get('x-dns-prefetch-control')).toBe('off');
  expect(res.headers.get('x-permitted-cross-domain-policies')).toBe('none');
  expect(res.headers.get('origin-agent-cluster')).toBe('?1');
  expect(res.headers.get('x-download-options')).toBe('noopen');
  expect(res.headers.get('x-xss-protection')).toBe('0');
}

describe('browser security headers', () => {
  let hub: TestHub;
  let webDir: string;
  let token: string;

  beforeAll(async () => {
    webDir = mkdtempSync(path.join(tmpdir(), 'tyto-web-'));
    writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Tyto</title>');
    writeFileSync(path.join(webDir, 'main.js'), 'console.log(1);');
    hub = await startHub('sqlite', { TYTO_WEB_DIR: webDir });
    token = await hub.login();
  });
  afterAll(async () => {
    await hub.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('sends the CSP and the others with the web app, which browsers may revalidate', async () => {
    const res = await hub.fetch('/', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expectBrowserHeaders(res);
    // index.html is revalidated on every load; only /api/ answers are no-store.
    expect(res.headers.get('cache-control')).toBe('public, max-age=0');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('keeps static files cacheable', async () => {
    const res = await hub.fetch('/main.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toMatch(/max-age=3600/);
  });

  it('marks API answers no-store: they carry personal data', async () => {
    const res = await hub.fetch('/api/v1/auth/me', { token });
    expect(res.status).toBe(200);
    expectBrowserHeaders(res);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sends them with errors too', async () => {
    const unauthenticated = await hub.fetch('/api/v1/auth/me');
    expect(unauthenticated.status).toBe(401);
    expectBrowserHeaders(unauthenticated);
    expect(unauthenticated.headers.get('cache-control')).toBe('no-store');

    const unknown = await hub.fetch('/api/v1/no-such-route', { token });
    expect(unknown.status).toBe(404);
    expectBrowserHeaders(unknown);
    expect(unknown.headers.get('cache-control')).toBe('no-store');
  });

  it('sends them with the live stream, which writes its own head', async () => {
    const res = await hub.fetch('/api/v1/stream', { token });
    try {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      expectBrowserHeaders(res);
      expect(res.headers.get('cache-control')).toBe('no-store');
    } finally {
      await res.body?.cancel();
    }
  });

  it('leaves /health to its default caching', async () => {
    const res = await hub.fetch('/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBeNull();
  });
});

describe('HSTS', () => {
  it('is sent only when the hub is served over HTTPS (TYTO_COOKIE_SECURE=true)', async () => {
    const hub = await startHub('sqlite', { TYTO_COOKIE_SECURE: 'true' });
    try {
      const res = await hub.fetch('/health');
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    } finally {
      await hub.close();
    }
  });
});
