import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  AgentListResponse,
  HistoryResponse,
  LiveSample,
  MetricsSnapshot,
} from '@tyto/contracts';
import { LiveSampleSchema, expandLiveSample } from '@tyto/contracts';
import { Observable, defer, map } from 'rxjs';
import * as z from 'zod';
import { API_BASE, callerHandles } from '../core/http';
import type { StreamEvent } from '../core/metrics-stream';
import { EVENT_SOURCE_FACTORY, StreamClosedError } from '../core/metrics-stream';
import type { SparkPoint } from './fleet-model';
import { SPARK_WINDOW_MS } from './fleet-model';

const { processes, temperature, gpu, docker, systemd } = LiveSampleSchema.shape;
const UNREAD = 'not used by the fleet overview';

// Only the sections a card draws are checked: a problem elsewhere (say the process list) must not
// drop a host's card.
export const FleetSampleSchema = LiveSampleSchema.extend({
  processes: processes.catch({ total: 0, running: 0, topByCpu: [], topByMemory: [] }),
  temperature: temperature.catch({ available: false, reason: UNREAD, sensors: [] }),
  gpu: gpu.catch(undefined),
  docker: docker.catch(undefined),
  systemd: systemd.catch(undefined),
});

/** One `event: fleet` frame: the newest sample of every host that sent one since the last. */
export interface FleetFrame {
  timestamp: string;
  samples: MetricsSnapshot[];
}

const FrameSchema = z.object({ timestamp: z.string(), samples: z.array(z.unknown()) });

// EventSource.CLOSED (jsdom has no EventSource global).
const EVENT_SOURCE_CLOSED = 2;

@Injectable({ providedIn: 'root' })
export class FleetApi {
  private readonly http = inject(HttpClient);
  private readonly createEventSource = inject(EVENT_SOURCE_FACTORY);

  /**
   * The hub's `?view=fleet` stream: one coalesced frame per tick instead of one stream per host.
   * Samples are expanded to complete snapshots against the previous one of the same host on this
   * connection. Errors with StreamClosedError when the browser stops retrying by itself.
   */
  frames(): Observable<StreamEvent<FleetFrame>> {
    return defer(() => {
      const previous = new Map<string, MetricsSnapshot>();
      return this.rawFrames().pipe(
        map((event): StreamEvent<FleetFrame> => {
          if (event.kind !== 'sample') return event;
          const samples = event.sample.samples.map((live) => {
            const full = expandLiveSample(live, previous.get(live.agent_id));
            previous.set(full.agent_id, full);
            return full;
          });
          return { kind: 'sample', sample: { timestamp: event.sample.timestamp, samples } };
        }),
      );
    });
  }

  agents(): Observable<AgentListResponse> {
    return this.http.get<AgentListResponse>(`${API_BASE}/agents`);
  }

  /** CPU % of the last hour, one point a minute; a host without history gives no points. */
  cpuHistory(agentId: string, now: Date): Observable<SparkPoint[]> {
    return this.http
      .get<HistoryResponse>(`${API_BASE}/history`, {
        params: {
          agent_id: agentId,
          from: new Date(now.getTime() - SPARK_WINDOW_MS).toISOString(),
          to: now.toISOString(),
          resolution: '1m',
          metrics: 'cpu',
        },
        context: callerHandles(400, 404),
      })
      .pipe(
        map((res) =>
          res.data.flatMap((point) => {
            const cpu = point['cpu'];
            return cpu && typeof cpu === 'object' && typeof cpu.avg === 'number'
              ? [{ time: Date.parse(point.timestamp), cpu: cpu.avg as number }]
              : [];
          }),
        ),
      );
  }

  private rawFrames(): Observable<StreamEvent<{ timestamp: string; samples: LiveSample[] }>> {
    return new Observable((subscriber) => {
      const source = this.createEventSource(`${API_BASE}/stream?view=fleet`);
      source.addEventListener('open', () => subscriber.next({ kind: 'open' }));
      source.addEventListener('fleet', (event: MessageEvent<string>) => {
        const frame = parseFrame(event.data);
        if (frame) subscriber.next({ kind: 'sample', sample: frame });
      });
      // Ended on purpose (session over, permission gone): the caller's back-off checks the session.
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
}

// A sample that does not match the contract is dropped alone; the rest of the frame is kept.
function parseFrame(data: string): { timestamp: string; samples: LiveSample[] } | null {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    console.error('Dropped a fleet event that is not JSON');
    return null;
  }
  const frame = FrameSchema.safeParse(json);
  if (!frame.success) {
    console.error('Dropped a fleet event that does not match the contract', frame.error.issues);
    return null;
  }
  const samples: LiveSample[] = [];
  for (const raw of frame.data.samples) {
    const parsed = FleetSampleSchema.safeParse(raw);
    if (parsed.success) samples.push(parsed.data as LiveSample);
    else
      console.error('Dropped a fleet sample that does not match the contract', parsed.error.issues);
  }
  return { timestamp: frame.data.timestamp, samples };
}
