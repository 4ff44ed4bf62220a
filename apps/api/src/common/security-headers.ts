import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TytoConfig } from './config';

/**
 * Cache-Control of every /api/ answer, the live stream included: they carry tokens or personal
 * data, which no browser or proxy cache should keep. `/health` keeps its default.
 */
export const API_CACHE_CONTROL = 'no-store';

export const isApiUrl = (url: string): boolean =>
  url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

/**
 * The Content-Security-Policy of the web app (docs/security.md says why each source is there).
 * Scripts only from the hub's own files: the production build has no inline script and no
 * inline event handler (`inlineCritical` is off in apps/web/project.json for that reason).
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  // Angular adds each component's styles as <style> elements and ngx-charts writes `style`
  // attributes; neither can carry a nonce that the static index.html would know.
  'style-src': ["'self'", "'unsafe-inline'"],
  // `data:` for the empty favicon (`<link rel="icon" href="data:,">`).
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  // REST calls and the EventSource of the live stream go to the hub itself.
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** One year, without includeSubDomains: the hub should not decide for the rest of the domain. */
const HSTS_MAX_AGE = 365 * 24 * 3600;

export function helmetOptions(config: Pick<TytoConfig, 'cookieSecure'>): HelmetOptions {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    referrerPolicy: { policy: 'no-referrer' },
    // Legacy twin of frame-ancestors for browsers without CSP level 2.
    xFrameOptions: { action: 'deny' },
    xContentTypeOptions: true,
    // Only when TYTO_COOKIE_SECURE=true says the hub is served over HTTPS: browsers then refuse
    // plain HTTP to this host for a year, which must not happen to a hub without TLS.
    strictTransportSecurity: config.cookieSecure
      ? { maxAge: HSTS_MAX_AGE, includeSubDomains: false }
      : false,
  };
}

/**
 * The headers helmet sets for these options. None of them depends on the request, so helmet runs
 * once, at start, against a recording response: run per request (as @fastify/helmet does, which
 * also rebuilds its middleware list and re-parses the CSP each time) it cost 7 % of the hub's
 * time under load (docs/benchmarks.md).
 */
export function securityHeaders(config: Pick<TytoConfig, 'cookieSecure'>): [string, string][] {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) =>
      headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: (name: string) => headers.get(name),
  };
  let ran = false;
  helmet(helmetOptions(config))(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (err?: unknown) => {
      if (err) throw err instanceof Error ? err : new Error(String(err));
      ran = true;
    },
  );
  if (!ran) throw new Error('helmet did not finish synchronously');
  return [...headers];
}

/**
 * Browser security headers on every answer, set on the raw response when the request arrives,
 * so a handler that hijacks the reply (the live stream) still sends them; every /api/ answer
 * also gets `Cache-Control: no-store`.
 */
export function registerSecurityHeaders(
  app: NestFastifyApplication,
  config: Pick<TytoConfig, 'cookieSecure'>,
): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const headers = securityHeaders(config);
  fastify.addHook('onRequest', (req, reply, done) => {
    const raw = reply.raw;
    for (const [name, value] of headers) raw.setHeader(name, value);
    if (isApiUrl(req.url)) raw.setHeader('Cache-Control', API_CACHE_CONTROL);
    done();
  });
}
