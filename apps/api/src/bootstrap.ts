import { Logger, type LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { TytoConfig } from './common/config';
import { toErrorBody } from './common/error.filter';
import { AppModule } from './app.module';
import { mountWebApp } from './web/web-app';

const NEST_LEVELS: Record<TytoConfig['logLevel'], NestLogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Builds the hub (used by main.ts and by the integration tests, which listen on port 0). */
export async function createHub(config: TytoConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: NEST_LEVELS[config.logLevel],
    bodyParser: false,
  });
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: '1mb' });
  // Nest turns body-parser failures into a bare 400 and loses their type; answer them here,
  // straight after the parser, so malformed JSON and oversized bodies keep their own codes.
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof Error) || res.headersSent) return next(err);
    const { status, body } = toErrorBody(err);
    if (status >= 500) return next(err);
    res.status(status).json(body);
  });
  app.enableShutdownHooks();
  if (config.webDir && !mountWebApp(app.getHttpAdapter().getInstance(), config.webDir)) {
    new Logger('Web').warn(`no web build at ${config.webDir}; serving the API only`);
  }
  return app;
}
