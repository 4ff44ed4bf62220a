import { HttpErrorResponse } from '@angular/common/http';
import { Injectable, InjectionToken, inject } from '@angular/core';
import type { LiveSample, MetricsSnapshot } from '@tyto/contracts';
import { LiveSampleSchema, expandLiveSample } from '@tyto/contracts';
import type { MonoTypeOperatorFunction } from 'rxjs';
import { Observable, catchError, defer, map, of, retry, switchMap, throwError, timer } from 'rxjs';
import type * as z from 'zod';
import type { AuthApi } from '../auth/auth.api';
import { API_BASE } from './http';

export type StreamEvent<T> =
  | { kind: 'open' }
  | { kind: 'sample'; sample: T }
  // The connection dropped and the browser is already reconnecting on its own.
  | { kind: 'interrupted' };

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';

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
const MAX_RECONNECT_DELAY_MS = 30_000;

export type EventSourceFactory = (url: string) => EventSource;

// A seam for unit tests: the real factory needs a browser.
export const EVENT_SOURCE_FACTORY = new InjectionToken<EventSourceFactory>('EVENT_SOURCE_FACTORY', {
  providedIn: 'root',
  factory: () => (url) => new EventSource(url),
});

// 1 s, 2 s, 4 s … capped, so a hub that stays down is not hammered.
export function reconnectDelay(attempt: number): number {
  return Math.min(1000 * 2 ** (attempt - 1), MAX_RECONNECT_DELAY_MS);
}

// The hub's SSE stream of one agent's samples. Each page checks the samples against the part of
// the contract it draws, so a problem in a section it does not show cannot blank it.
@Injectable({ providedIn: 'root' })
export class MetricsStreamApi {
  private readonly createEventSource = inject(EVENT_SOURCE_FACTORY);

  // The session cookie authenticates the stream (EventSource cannot send headers). Errors with
  // StreamClosedError when the browser stops retrying by itself.
  samples<T>(agentId: string, schema: z.ZodType<T>): Observable<StreamEvent<T>> {
    return new Observable<StreamEvent<T>>((subscriber) => {
      const url = `${API_BASE}/stream?agent_id=${encodeURIComponent(agentId)}`;
      const source = this.createEventSource(url);
      source.addEventListener('open', () => subscriber.next({ kind: 'open' }));
      source.addEventListener('metrics', (event: MessageEvent<string>) => {
        const sample = parseSample(event.data, schema);
        if (sample !== null) subscriber.next({ kind: 'sample', sample });
      });
      // The hub ended the stream on purpose (session ended, permission gone): reconnecting at
      // once would only be refused, so hand over to the back-off, which checks the session.
      source.addEventListener('end', () => {
        source.close();
        subscriber.error(new StreamClosedError());
      });
      source.addEventListener('error', () => {
        if (source.readyState === EVENT_SOURCE_CLOSED) subscriber.error(new StreamClosedError());
        else subscriber.next({ kind: 'interrupted' });
      });
      return () => source.close();
    });
  }

  // Complete snapshots from the live samples (see LiveSampleSchema): a slow section the hub left
  // out because it did not change is taken from the agent's previous snapshot on this stream.
  // `schema` is LiveSampleSchema or a more lenient form of it.
  snapshots(
    agentId: string,
    schema: z.ZodType<LiveSample> = LiveSampleSchema,
  ): Observable<StreamEvent<MetricsSnapshot>> {
    // Per subscription: a new stream starts with complete samples, so nothing carries over.
    return defer(() => {
      const previous = new Map<string, MetricsSnapshot>();
      return this.samples(agentId, schema).pipe(
        map((event): StreamEvent<MetricsSnapshot> => {
          if (event.kind !== 'sample') return event;
          const sample = expandLiveSample(event.sample, previous.get(event.sample.agent_id));
          previous.set(sample.agent_id, sample);
          return { kind: 'sample', sample };
        }),
      );
    });
  }
}

function parseSample<T>(data: string, schema: z.ZodType<T>): T | null {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    console.error('Dropped a metrics event that is not JSON');
    return null;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    // Logged rather than shown: one bad sample should not interrupt the live view.
    console.error('Dropped a metrics sample that does not match the contract', parsed.error.issues);
    return null;
  }
  return parsed.data;
}

// Re-subscribes to a stream the browser gave up on, after a back-off and once the session checks
// out. A sample or an `open` means the connection works again, so backing off restarts from 1 s.
export function reconnectWithBackoff<T>(
  authApi: AuthApi,
  onRetry: () => void,
): MonoTypeOperatorFunction<T> {
  return retry({
    resetOnSuccess: true,
    delay: (_err: unknown, attempt: number) => {
      onRetry();
      return timer(reconnectDelay(attempt)).pipe(switchMap(() => checkSession(authApi)));
    },
  });
}

// EventSource does not reveal why the hub closed the stream; an expired session is the one
// reason reconnecting cannot fix. A 401 here ends the stream (the error interceptor has sent the
// user to the login page); anything else, such as the hub still restarting, means try again.
function checkSession(authApi: AuthApi): Observable<unknown> {
  return authApi
    .me(0, 502, 503, 504)
    .pipe(
      catchError((err: unknown) =>
        err instanceof HttpErrorResponse && err.status === 401 ? throwError(() => err) : of(null),
      ),
    );
}
