import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import fastifyCookie from '@fastify/cookie';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { TytoConfig } from './common/config';
import { AppError } from './common/errors';
import { AppModule } from './app.module';
import { AuditService, isWrite } from './audit/audit.service';
import { AuthService } from './auth/auth.service';
import { clientErrorHandler } from './common/client-error';
import type { AuthedRequest } from './common/principal';
import { mountApiDocsAssets } from './openapi/docs-assets';
import { PrometheusService } from './prometheus/prometheus.service';
import { mountWebApp } from './web/web-app';
import { registerSecurityHeaders } from './common/security-headers';
import {
  createRootLogger,
  installAccessLog,
  NestPinoLogger,
  requestId,
  resolveLogFormat,
  type RootLogger,
} from './common/logging';

export const BODY_LIMIT = 1024 * 1024;

/**
 * Builds the hub (used by main.ts and by the integration tests, which listen on port 0).
 * Fastify rather than Express: on this hub's request path Express's router, middleware chain
 * and static-file checks cost more than the handlers (docs/benchmarks.md, "HTTP").
 */
export async function createHub(
  config: TytoConfig,
  given?: RootLogger,
): Promise<NestFastifyApplication> {
  const log =
    given ?? (await createRootLogger(config.logLevel, resolveLogFormat(config.logFormat)));
  const adapter = new FastifyAdapter({
    trustProxy: config.trustProxy > 0 ? config.trustProxy : false,
    bodyLimit: BODY_LIMIT,
    // Fastify's own logger stays off: the access line is ours (common/logging.ts), in the
    // same pino stream as every other line.
    logger: false,
    genReqId: requestId,
    clientErrorHandler,
    // Fastify's own drain answer is not in the error shape; refuseWhileClosing gives ours.
    return503OnClosing: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new NestPinoLogger(log.pino),
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  installAccessLog(fastify, log.access);
  refuseWhileClosing(fastify);
  acceptJsonOnly(fastify);
  app.get(PrometheusService).installHttpHook(fastify);
  await app.register(fastifyCookie);
  registerSecurityHeaders(app, config);
  // Every write is audited with its final status, before the answer leaves (AuditService).
  const audit = app.get(AuditService);
  const auth = app.get(AuthService);
  const principalOf = (req: AuthedRequest) => auth.principalOf(req);
  // Callback style, so a read (the common case) costs no promise on its way out.
  fastify.addHook('onSend', (req, reply, payload, done) => {
    if (!isWrite(req.method)) {
      done(null, payload);
      return;
    }
    audit
      .recordResponse(req as AuthedRequest, reply.statusCode, payload, principalOf)
      .then(() => done(null, payload), done);
  });
  await mountApiDocsAssets(fastify);
  // Signals are main.ts's (shutdown.ts): tests and other embedders close the hub themselves.
  if (config.webDir && !(await mountWebApp(fastify, config.webDir))) {
    new Logger('Web').warn(`no web build at ${config.webDir}; serving the API only`);
  }
  return app;
}

/**
 * Once the hub is stopping (shutdown.ts), a request that still arrives on a busy keep-alive
 * connection is answered 503 SHUTTING_DOWN with `Connection: close`, so a client or load
 * balancer retries elsewhere rather than writing to a hub on its way out.
 */
function refuseWhileClosing(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', (_req, reply, done) => {
    if (!closing) {
      done();
      return;
    }
    void reply
      .code(503)
      .header('connection', 'close')
      .send({ error: 'The hub is shutting down', code: 'SHUTTING_DOWN', details: {} });
  });
}

/**
 * JSON is the only body the API takes: other types are 415 (Fastify's errors reach the global
 * filter as HttpExceptions with their status). An empty JSON body counts as none (clients send
 * `content-type` on body-less POSTs such as logout).
 */
function acceptJsonOnly(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (req, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      // Fastify's own error would reach the filter as a bare 400; keep the specific code.
      void parseJson(req, text, (err, value) =>
        err
          ? done(new AppError('MALFORMED_JSON', 'Request body is not valid JSON'), undefined)
          : done(null, value),
      );
    },
  );
}
