import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import type { LogFormat, LogLevel } from './config';
import type { AuthedRequest } from './principal';

/** The hub's root logger and how to push out what it still buffers (before `process.exit`). */
export interface RootLogger {
  pino: Pino;
  /**
   * The access lines' logger: the same stream without redaction, which would cost each request
   * a pass over its fields (about a tenth of the hub's own time under load); its lines hold only
   * fields installAccessLog chooses.
   */
  access: Pino;
  flush(): void;
}

/**
 * pino, JSON lines by default, one human line per entry on a terminal. JSON goes out through an
 * asynchronous SonicBoom: under load lines queue behind the write in flight and leave in one
 * syscall, rather than one blocking write per request (docs/benchmarks.md, "Structured logs").
 */
export async function createRootLogger(
  level: LogLevel,
  format: LogFormat,
  destination?: DestinationStream,
): Promise<RootLogger> {
  const options = { level, timestamp: pino.stdTimeFunctions.isoTime };
  // Never let a credential reach a log line, whichever object carries it.
  const redact = {
    paths: ['password', 'token', 'authorization', '*.password', '*.token', '*.authorization'],
    censor: '[redacted]',
  };
  const pair = (stream: DestinationStream) => ({
    pino: pino({ ...options, redact }, stream),
    access: pino(options, stream),
  });
  if (destination) return { ...pair(destination), flush: () => undefined };
  if (format === 'pretty') {
    // Loaded only for a terminal: a production hub (JSON) never holds it in memory.
    const { default: pinoPretty } = await import('pino-pretty');
    const pretty = pinoPretty({
      colorize: Boolean(process.stdout.isTTY),
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,context',
      messageFormat: '{if context}[{context}] {end}{msg}',
      sync: true,
    });
    return { ...pair(pretty), flush: () => undefined };
  }
  const out = pino.destination({ dest: 1, sync: false });
  return {
    ...pair(out),
    flush: () => {
      try {
        out.flushSync();
      } catch {
        // Not open yet (nothing written) or stdout gone: nothing left to save.
      }
    },
  };
}

/** `auto` is pretty on a terminal, JSON anywhere else (files, pipes, journald, containers). */
export const resolveLogFormat = (format: LogFormat | 'auto'): LogFormat =>
  format === 'auto' ? (process.stdout.isTTY ? 'pretty' : 'json') : format;

// Nest's start-up chatter (every module and route it wires) is for debugging, not for the log.
const NEST_CHATTER = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's Logger facade over pino, so `new Logger('Auth').warn(…)` anywhere in the hub writes
 * one structured line with its context. Nest passes the context as the last argument and, for
 * errors, a stack before it.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly root: Pino) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    if (context && level === 'info' && NEST_CHATTER.has(context)) level = 'debug';
    if (!this.root.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = context ? { context } : {};
    const stack = rest.find((r): r is string => typeof r === 'string');
    if (stack) fields['stack'] = stack;
    if (message instanceof Error) {
      fields['err'] = message;
      this.root[level](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.root[level]({ ...fields, ...message });
    } else {
      this.root[level](fields, String(message));
    }
  }
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * A request's id: the one a proxy sent in `X-Request-Id` when it looks like an id (so one id
 * follows a request across the proxy's and the hub's logs), otherwise a new UUID.
 */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

// Probes and scrapes arrive every few seconds from orchestrators and Prometheus; at info they
// would drown the lines people read, so they are logged at debug.
const PROBE_ROUTES = new Set(['/health', '/health/ready', '/metrics']);

/**
 * One access line per request, written when the response has gone: method, route pattern (never
 * the raw URL, whose query string could carry a secret), status, duration and the user, plus the
 * request id, which also leaves in the `X-Request-Id` header.
 */
export function installAccessLog(fastify: FastifyInstance, access: Pino): void {
  const log = access.child({ context: 'Http' });
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-request-id', req.id);
    done();
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url;
    const level = route && PROBE_ROUTES.has(route) ? 'debug' : 'info';
    if (log.isLevelEnabled(level)) {
      const principal = (req as AuthedRequest).principal;
      log[level](
        {
          req_id: req.id,
          method: req.method,
          route: route ?? 'unmatched',
          status: reply.statusCode,
          duration_ms: Math.round(reply.elapsedTime * 100) / 100,
          user_id: principal?.userId,
          token_id: principal?.tokenId,
          remote: req.ip,
        },
        'request',
      );
    }
    done();
  });
}
