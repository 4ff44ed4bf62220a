import type { Alert, AlertConfig, AlertRule, Channel } from '@tyto/contracts';

// Small factories for the alert pages' specs: a valid object of each contract type, with what a
// test cares about overridden.

export const SEED_CONFIG: AlertConfig = {
  cpu: { warning: 80, critical: 95 },
  memory: { warning: 85, critical: 95 },
  disk: { warning: 80, critical: 90 },
};

export function alertOf(over: Partial<Alert> = {}): Alert {
  return {
    id: 'a-1',
    type: 'memory',
    level: 'warning',
    value: 91,
    threshold: 85,
    agent_id: 'web-01',
    subject: '',
    message: 'Memory at 91% on web-01 (warning at 85%)',
    created_at: '2026-01-15T10:30:00.000Z',
    updated_at: '2026-01-15T10:30:00.000Z',
    resolved_at: null,
    acknowledged: false,
    acknowledged_at: null,
    acknowledged_by: null,
    silenced: false,
    ...over,
  };
}

export function ruleOf(over: Partial<AlertRule> = {}): AlertRule {
  const type = over.type ?? 'memory';
  return {
    id: over.agent_id ? `${type}:${over.agent_id}` : type,
    type,
    agent_id: null,
    enabled: true,
    warning: 85,
    critical: 95,
    for: 0,
    hysteresis: 5,
    level: 'warning',
    intervals: 3,
    customized: false,
    ...over,
  };
}

export function channelOf(over: Partial<Channel> = {}): Channel {
  return {
    id: 'c-1',
    name: 'ops hook',
    type: 'webhook',
    enabled: true,
    min_level: 'warning',
    agent_ids: null,
    repeat_interval: 0,
    send_resolved: true,
    url: 'https://hooks.example.com/tyto',
    email: null,
    has_secret: true,
    last_success_at: null,
    last_error: null,
    last_error_at: null,
    created_at: '2026-01-15T10:00:00.000Z',
    updated_at: '2026-01-15T10:00:00.000Z',
    ...over,
  };
}

/** An EventSource the test drives: it records its URL and dispatches what the test sends. */
export class FakeEventSource extends EventTarget {
  static last: FakeEventSource | null = null;
  readyState = 1;
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeEventSource.last = this;
  }
  send(type: string, data: unknown): void {
    this.dispatchEvent(
      new MessageEvent(type, { data: typeof data === 'string' ? data : JSON.stringify(data) }),
    );
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
}
