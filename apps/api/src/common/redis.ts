import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Redis, RedisOptions } from 'ioredis';
import { TYTO_CONFIG, type TytoConfig } from './config';

/** How long boot waits for Redis before it reports one clear line and gives up. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The hub's Redis connections when TYTO_REDIS_URL is set (replicas): one for commands (shared
 * limits, publishing) and one per subscriber, since a subscribed connection can do nothing else.
 * Without the variable `enabled` is false and nothing connects: one hub keeps all in process.
 * ioredis is loaded only when configured, so a single hub does not carry it.
 */
@Injectable()
export class RedisConnections implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private main: Redis | null = null;
  private readonly extra = new Set<Redis>();

  constructor(@Inject(TYTO_CONFIG) private readonly config: TytoConfig) {}

  get enabled(): boolean {
    return this.config.redisUrl !== null;
  }

  /** Prefix of every key and channel this hub uses. */
  get prefix(): string {
    return this.config.redisPrefix;
  }

  key(name: string): string {
    return this.prefix + name;
  }

  /** The command connection; only when `enabled`. */
  get command(): Redis {
    if (!this.main) throw new Error('Redis is not configured (TYTO_REDIS_URL)');
    return this.main;
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.redisUrl) return;
    this.main = await this.connect('commands');
  }

  /** A further connection (for SUBSCRIBE), closed with the hub. */
  async subscriber(): Promise<Redis> {
    const c = await this.connect('subscriber');
    this.extra.add(c);
    return c;
  }

  private async connect(role: string): Promise<Redis> {
    const { default: IORedis } = await import('ioredis');
    const url = this.config.redisUrl as string;
    const options: RedisOptions = {
      lazyConnect: true,
      // A command fails fast while Redis is away instead of queueing without bound.
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      retryStrategy: (times) => Math.min(200 * times, 5_000),
      connectionName: `tyto-${this.config.replicaId}-${role}`,
    };
    const client = new IORedis(url, options);
    let warned = false;
    client.on('error', (e: Error) => {
      // ioredis retries by itself; say so once per outage, not per retry.
      if (!warned) this.logger.warn(`Redis ${role} connection: ${e.message}; retrying`);
      warned = true;
    });
    client.on('ready', () => {
      if (warned) this.logger.log(`Redis ${role} connection is back`);
      warned = false;
    });
    try {
      await client.connect();
    } catch (e) {
      client.disconnect();
      throw new Error(
        `TYTO_REDIS_URL: cannot connect to Redis (${(e as Error).message}); ` +
          'check the URL or unset it to run a single hub without Redis',
      );
    }
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    const all = [...this.extra, ...(this.main ? [this.main] : [])];
    this.extra.clear();
    this.main = null;
    await Promise.all(
      all.map((c) =>
        // QUIT needs a live connection; one that is reconnecting would keep retrying after it.
        c.status === 'ready'
          ? c.quit().then(
              () => undefined,
              () => c.disconnect(),
            )
          : c.disconnect(),
      ),
    );
  }
}

/** Makes RedisConnections injectable everywhere. */
@Global()
@Module({ providers: [RedisConnections], exports: [RedisConnections] })
export class RedisModule {}
