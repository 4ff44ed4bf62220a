import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { Server } from 'node:http';
import { StreamHub } from './metrics/stream-hub.service';
import { LogStreamHub } from './logs/log-stream-hub.service';

/** In-flight requests get this long to finish once a stop is asked for. */
export const DRAIN_TIMEOUT_MS = 10_000;
/** After the drain, Nest's hooks (flushes, closing the database) get this long. */
const HOOKS_TIMEOUT_MS = 5_000;
/** How often sockets that went idle during the drain are closed. */
const REAP_EVERY_MS = 100;
const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;
type StopSignal = keyof typeof SIGNAL_NUMBERS;

/**
 * SIGTERM or SIGINT stops the hub gracefully (`stop`) and exits 0; a second signal while it
 * stops exits at once with 128 + the signal's number, and a stop that hangs exits 1 once the
 * drain and the hooks have had their time. Nest's `enableShutdownHooks` is not used: it runs the
 * modules' destroy hooks before the server stops taking requests, and re-raises the signal, so
 * the exit status is a kill, never 0.
 */
export function stopOnSignals(app: NestFastifyApplication, logger = new Logger('Tyto')): void {
  let stopping = false;
  const onSignal = (signal: StopSignal) => {
    if (stopping) {
      logger.error(`${signal} again while shutting down: exiting now`);
      process.exit(128 + SIGNAL_NUMBERS[signal]);
    }
    stopping = true;
    const started = Date.now();
    logger.log(
      `shutting down: ${signal}; refusing new connections, in-flight requests have ${DRAIN_TIMEOUT_MS / 1000} s`,
    );
    setTimeout(() => {
      logger.error(`not stopped after ${Date.now() - started} ms: exiting`);
      process.exit(1);
    }, DRAIN_TIMEOUT_MS + HOOKS_TIMEOUT_MS).unref();
    stop(app).then(
      () => {
        logger.log(`stopped in ${Date.now() - started} ms`);
        process.exit(0);
      },
      (e: unknown) => {
        logger.error(`shutdown failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

/**
 * Stops the hub in the order that loses nothing: HTTP first (no new connections; idle
 * keep-alive sockets and live streams closed at once; requests arriving on a busy keep-alive
 * socket answered 503 with `Connection: close` by Fastify's return503OnClosing; in-flight
 * requests finish, for at most DRAIN_TIMEOUT_MS), then Nest's hooks while the database is still
 * open (history and session last-seen flushes, jobs), then the database.
 */
export async function stop(app: NestFastifyApplication): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const server = app.getHttpServer() as Server;
  app.get(StreamHub).endAll();
  app.get(LogStreamHub).endAll();
  const closed = fastify.close();
  // Node closes the sockets that are idle when the server closes; a socket whose last response
  // (an ended stream, a finished request) completes later would linger until its keep-alive
  // timeout, so idle ones are reaped until the server is down.
  const reaper = setInterval(() => server.closeIdleConnections(), REAP_EVERY_MS);
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    deadline = setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS);
  });
  const drained = await Promise.race([closed.then(() => true), timedOut]);
  clearTimeout(deadline);
  clearInterval(reaper);
  if (!drained) {
    server.closeAllConnections();
    await closed;
  }
  await app.close();
}
