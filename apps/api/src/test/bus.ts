import { EventEmitter2, type EventEmitterReadinessWatcher } from '@nestjs/event-emitter';
import { HubBus } from '../common/bus';
import type { TytoConfig } from '../common/config';
import type { RedisConnections } from '../common/redis';

/** A real bus over a plain emitter, for unit tests that run without a Nest application. */
export function inProcessBus(emitter = new EventEmitter2(), replicaId = 'test-replica'): HubBus {
  const ready = { waitUntilReady: () => Promise.resolve() } as EventEmitterReadinessWatcher;
  return new HubBus(emitter, ready, { replicaId } as TytoConfig);
}

/** Redis as a single hub sees it: not configured. */
export const noRedis = { enabled: false } as RedisConnections;
