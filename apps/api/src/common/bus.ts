import { Inject, Injectable, Logger } from '@nestjs/common';
// The one place that uses the raw emitter: everything else goes through HubBus (lint rule).
import { EventEmitter2, EventEmitterReadinessWatcher, OnEvent } from '@nestjs/event-emitter';
import {
  CROSSING_EVENTS,
  HUB_EVENTS,
  type BusEnvelope,
  type DeliveredEnvelope,
  type HubEventName,
  type HubEventPayload,
} from '@tyto/contracts';
import { TYTO_CONFIG, type TytoConfig } from './config';

export type { DeliveredEnvelope } from '@tyto/contracts';

/** Carries crossing events to the other replicas (the Redis bridge); absent on a single hub. */
export interface BusBridge {
  send(name: HubEventName, envelope: BusEnvelope, payload: unknown): void;
}

/**
 * The hub's typed event bus. `publish` stamps an envelope (this replica, the agent concerned, a
 * sequence number), delivers the event to this replica's subscribers, and hands crossing events
 * to the bridge; events from other replicas arrive through `deliverRemote`, checked against
 * their schema, and are never sent on again. Subscribers use `@OnHubEvent`.
 */
@Injectable()
export class HubBus {
  private readonly logger = new Logger('Bus');
  readonly replicaId: string;
  private seq = 0;
  private bridge: BusBridge | null = null;
  private readonly refusedWarned = new Set<string>();

  constructor(
    private readonly emitter: EventEmitter2,
    private readonly readiness: EventEmitterReadinessWatcher,
    @Inject(TYTO_CONFIG) config: TytoConfig,
  ) {
    this.replicaId = config.replicaId;
  }

  /** Settles once every subscriber is attached (during bootstrap): publish at boot after it. */
  whenReady(): Promise<void> {
    return this.readiness.waitUntilReady();
  }

  attachBridge(bridge: BusBridge | null): void {
    this.bridge = bridge;
  }

  get bridged(): boolean {
    return this.bridge !== null;
  }

  /** Delivers `payload` here and, for a crossing event, to every other replica. */
  publish<K extends HubEventName>(
    name: K,
    payload: HubEventPayload<K>,
    agentId: string | null = null,
  ): void {
    const envelope = this.stamp(agentId);
    this.emitter.emit(name, payload, { ...envelope, local: true } satisfies DeliveredEnvelope);
    if (this.bridge && CROSSING_EVENTS.has(name)) this.bridge.send(name, envelope, payload);
  }

  /**
   * Like `publish`, but settles once this replica's subscribers have applied the event (and
   * rejects if one failed), for a write that must not answer before its effect holds here, such
   * as ending a user's sessions. Other replicas apply it when it reaches them; nobody waits on
   * them.
   */
  async publishAndApply<K extends HubEventName>(
    name: K,
    payload: HubEventPayload<K>,
    agentId: string | null = null,
  ): Promise<void> {
    const envelope = this.stamp(agentId);
    await this.emitter.emitAsync(name, payload, { ...envelope, local: true });
    if (this.bridge && CROSSING_EVENTS.has(name)) this.bridge.send(name, envelope, payload);
  }

  /** An event from another replica, as the bridge received it: checked, then delivered here. */
  deliverRemote(name: string, envelope: unknown, payload: unknown): boolean {
    if (!(name in HUB_EVENTS) || !CROSSING_EVENTS.has(name as HubEventName)) {
      return this.refuse(name, 'not an event that crosses replicas');
    }
    const event = HUB_EVENTS[name as HubEventName];
    const env = (envelope ?? {}) as BusEnvelope;
    if (typeof env.origin !== 'string' || env.origin === this.replicaId) return false;
    const parsed = event.schema.safeParse(payload);
    if (!parsed.success) return this.refuse(name, parsed.error.issues[0]?.message ?? 'bad payload');
    this.emitter.emit(name, parsed.data, { ...env, local: false } satisfies DeliveredEnvelope);
    return true;
  }

  private stamp(agentId: string | null): BusEnvelope {
    return { origin: this.replicaId, agent_id: agentId, seq: ++this.seq, at: Date.now() };
  }

  private refuse(name: string, why: string): false {
    // Once per event name: a replica on another version must not flood the log.
    if (!this.refusedWarned.has(name)) {
      this.refusedWarned.add(name);
      this.logger.warn(`dropped '${name}' from another replica: ${why}`);
    }
    return false;
  }
}

export interface OnHubEventOptions {
  /** Only events published on this replica (a write that exactly one replica must make). */
  localOnly?: boolean;
  /** Let a failing async subscriber reject `publishAndApply` (default: logged and swallowed). */
  propagateErrors?: boolean;
}

type Handler<K extends HubEventName> = (
  payload: HubEventPayload<K>,
  envelope: DeliveredEnvelope,
) => unknown;

/**
 * Subscribes a provider's method to one bus event, typed by the event map. With `localOnly`
 * the method sees only events this replica published.
 */
export function OnHubEvent<K extends HubEventName>(name: K, options: OnHubEventOptions = {}) {
  // Generic in the method's own type, so a handler may take fewer arguments than it is given.
  return <T extends Handler<K>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    const original = descriptor.value as Handler<K>;
    if (options.localOnly) {
      descriptor.value = function (
        this: unknown,
        payload: HubEventPayload<K>,
        envelope: DeliveredEnvelope,
      ) {
        if (!envelope?.local) return undefined;
        return original.call(this, payload, envelope);
      } as T;
    }
    OnEvent(name, { suppressErrors: !options.propagateErrors })(target, key, descriptor);
  };
}
