import {
  Global,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { BusEnvelope, HubEventName } from '@tyto/contracts';
import type { Redis } from 'ioredis';
import { HubBus, type BusBridge } from './bus';
import { RedisConnections } from './redis';

/** Outgoing messages wait at most this many while Redis is away; older ones are dropped. */
const MAX_PENDING = 10_000;

/**
 * Bridges crossing bus events through one Redis pub/sub channel (`<prefix>bus`) when
 * TYTO_REDIS_URL is set. Pub/sub keeps one publisher's order and stores nothing: a replica that is
 * away misses what was said meanwhile, which is right for live events (state lives in the
 * database; SSE clients resume from there).
 */
@Injectable()
export class RedisBusBridge implements BusBridge, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('BusBridge');
  private subscriber: Redis | null = null;
  private channel = '';
  private echoPrefix = '';
  private dropped = 0;
  /** Messages sent and received, for the benchmark and /metrics. */
  readonly counters = { sent: 0, received: 0, sentBytes: 0, receivedBytes: 0 };

  constructor(
    private readonly bus: HubBus,
    private readonly redis: RedisConnections,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.redis.enabled) return;
    this.channel = this.redis.key('bus');
    this.echoPrefix = `${this.bus.replicaId}\n`;
    this.subscriber = await this.redis.subscriber();
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
    await this.subscriber.subscribe(this.channel);
    this.bus.attachBridge(this);
    this.logger.log(`bus bridged through Redis as replica '${this.bus.replicaId}'`);
  }

  send(name: HubEventName, envelope: BusEnvelope, payload: unknown): void {
    const client = this.redis.command;
    if (client.status !== 'ready' && client.commandQueue.length > MAX_PENDING) {
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) {
        this.logger.warn(`Redis is away: ${this.dropped} bus events not sent to other replicas`);
      }
      return;
    }
    // The origin leads the message, so a replica drops its own echo (pub/sub delivers to every
    // subscriber, the publisher's too) without parsing it.
    const message = `${envelope.origin}\n${JSON.stringify({ n: name, e: envelope, p: payload })}`;
    this.counters.sent++;
    this.counters.sentBytes += Buffer.byteLength(message);
    client.publish(this.channel, message).catch((e: Error) => {
      this.logger.warn(`publishing '${name}' to other replicas failed: ${e.message}`);
    });
  }

  private receive(message: string): void {
    const nl = message.indexOf('\n');
    if (nl < 0) return;
    if (message.startsWith(this.echoPrefix)) return;
    this.counters.received++;
    this.counters.receivedBytes += Buffer.byteLength(message);
    let parsed: { n?: unknown; e?: unknown; p?: unknown };
    try {
      parsed = JSON.parse(message.slice(nl + 1)) as typeof parsed;
    } catch {
      this.logger.warn('dropped a bus message from Redis that is not JSON');
      return;
    }
    if (typeof parsed.n !== 'string') return;
    this.bus.deliverRemote(parsed.n, parsed.e, parsed.p);
  }

  async onApplicationShutdown(): Promise<void> {
    this.bus.attachBridge(null);
    if (this.subscriber) await this.subscriber.unsubscribe().catch(() => undefined);
    this.subscriber = null;
  }
}

/** The bus, everywhere; bridged through Redis when it is configured. */
@Global()
@Module({ providers: [HubBus, RedisBusBridge], exports: [HubBus, RedisBusBridge] })
export class BusModule {}
