import { LOCAL_AGENT_ID, type Agent, type AgentStatus } from '@tyto/contracts';
import type { AgentEntity } from './agent.entity';

/** An agent is offline once it has been silent for this many sampling intervals. */
export const OFFLINE_AFTER_INTERVALS = 3;

/**
 * The status a client sees: `online` turns `offline` once the agent has been silent for
 * `staleMs` (the stored status says only what the channel last reported); `local` is online
 * while the hub runs, since the hub samples it itself.
 */
export function effectiveStatus(
  row: AgentEntity,
  lastSeen: string | null,
  now: number,
  staleMs: number,
): AgentStatus {
  if (row.id === LOCAL_AGENT_ID) return 'online';
  if (row.status !== 'online') return row.status;
  return lastSeen !== null && now - Date.parse(lastSeen) <= staleMs ? 'online' : 'offline';
}

export function toAgent(
  row: AgentEntity,
  lastSeen: string | null,
  now: number,
  staleMs: number,
): Agent {
  return {
    id: row.id,
    name: row.name,
    hostname: row.hostname,
    status: effectiveStatus(row, lastSeen, now, staleMs),
    architecture: row.architecture,
    os: row.os,
    version: row.version,
    last_seen: lastSeen,
    registered_at: row.registeredAt,
    certificate_expires_at: row.certExpiresAt,
    certificate_serial: row.certSerial,
    revoked_at: row.revokedAt,
    address: row.address,
    builtin: row.id === LOCAL_AGENT_ID,
  };
}

/** True while the agent holds a certificate that has not been revoked. */
export const holdsLiveCertificate = (row: AgentEntity): boolean =>
  row.certSerial !== null && row.revokedAt === null;
