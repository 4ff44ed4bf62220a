import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
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

export function helmetOptions(config: Pick<TytoConfig, 'cookieSecure'>): FastifyHelmetOptions {
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
 * Browser security headers on every answer. Helmet sets them on the raw response in an
 * onRequest hook, so a handler that hijacks the reply (the live stream) still sends them; the
 * /api/ Cache-Control is set in onSend, which a hijacked reply skips, so the stream applies
 * API_CACHE_CONTROL itself.
 */
export async function registerSecurityHeaders(
  app: NestFastifyApplication,
  config: Pick<TytoConfig, 'cookieSecure'>,
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  await fastify.register(fastifyHelmet, helmetOptions(config));
  fastify.addHook('onSend', async (req, reply, payload) => {
    if (isApiUrl(req.url)) void reply.header('Cache-Control', API_CACHE_CONTROL);
    return payload;
  });
}
