import { Injectable, InjectionToken, inject } from '@angular/core';
import { MetricsSnapshotSchema } from '@tyto/contracts';
import { Observable } from 'rxjs';
import type { z } from 'zod';
import { API_BASE } from '../core/http';

// Only the sections the dashboard draws are checked, so a problem in, say, the process list does
// not blank the whole page.
export const DashboardSampleSchema = MetricsSnapshotSchema.pick({
  timestamp: true,
  agent_id: true,
  system: true,
  cpu: true,
  memory: true,
  disk: true,
  network: true,
});
export type DashboardSample = z.infer<typeof DashboardSampleSchema>;

export type StreamEvent =
  | { kind: 'open' }
  | { kind: 'sample'; sample: DashboardSample }
  // The connection dropped and the browser is already reconnecting on its own.
  | { kind: 'interrupted' };

// The browser gave up on the stream (the hub answered with an error status or ended it in a way
// EventSource does not retry); only a new EventSource brings it back.
export class StreamClosedError extends Error {
  constructor() {
    super('The metrics stream was closed');
    this.name = 'StreamClosedError';
  }
}

// EventSource.CLOSED, spelled out because jsdom (unit tests) has no EventSource global.
const EVENT_SOURCE_CLOSED = 2;

export type EventSourceFactory = (url: string) => EventSource;

// A seam for unit tests: the real factory needs a browser.
export const EVENT_SOURCE_FACTORY = new InjectionToken<EventSourceFactory>('EVENT_SOURCE_FACTORY', {
  providedIn: 'root',
  factory: () => (url) => new EventSource(url),
});

@Injectable({ providedIn: 'root' })
export class DashboardApi {
  private readonly createEventSource = inject(EVENT_SOURCE_FACTORY);

  // Live samples of one agent over SSE. The session cookie authenticates it (EventSource cannot
  // send headers). Errors with StreamClosedError when the browser stops retrying by itself.
  metrics(agentId: string): Observable<StreamEvent> {
    return new Observable<StreamEvent>((subscriber) => {
      const url = `${API_BASE}/stream?agent_id=${encodeURIComponent(agentId)}`;
      const source = this.createEventSource(url);
      source.addEventListener('open', () => subscriber.next({ kind: 'open' }));
      source.addEventListener('metrics', (event: MessageEvent<string>) => {
        const sample = parseSample(event.data);
        if (sample) subscriber.next({ kind: 'sample', sample });
      });
      source.addEventListener('error', () => {
        if (source.readyState === EVENT_SOURCE_CLOSED) subscriber.error(new StreamClosedError());
        else subscriber.next({ kind: 'interrupted' });
      });
      return () => source.close();
    });
  }
}

function parseSample(data: string): DashboardSample | null {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    console.error('Dropped a metrics event that is not JSON');
    return null;
  }
  const parsed = DashboardSampleSchema.safeParse(json);
  if (!parsed.success) {
    // Logged rather than shown: one bad sample should not interrupt the live view.
    console.error('Dropped a metrics sample that does not match the contract', parsed.error.issues);
    return null;
  }
  return parsed.data;
}
