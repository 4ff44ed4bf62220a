import { BeforeApplicationShutdown, Controller, MessageEvent, Sse } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { StreamQuerySchema, type MetricsSnapshot, type StreamQuery } from '@tyto/contracts';
import { filter, from, fromEvent, map, merge, Subject, takeUntil, type Observable } from 'rxjs';
import { Auth } from '../common/access.decorator';
import { ValidQuery } from '../common/validation';
import { LatestSamplesService } from './latest-samples.service';
import { METRICS_SAMPLE } from './metrics.events';

@Controller('api/v1')
export class StreamController implements BeforeApplicationShutdown {
  // Open streams would hold the HTTP server open forever; completing them lets shutdown finish.
  private readonly shuttingDown = new Subject<void>();

  constructor(
    private readonly bus: EventEmitter2,
    private readonly latest: LatestSamplesService,
  ) {}

  /** SSE: `event: metrics` per sample, starting with the newest known one of each agent. */
  @Sse('stream')
  @Auth('dashboard:view')
  stream(@ValidQuery(StreamQuerySchema) query: StreamQuery): Observable<MessageEvent> {
    const wanted = (s: MetricsSnapshot) => !query.agent_id || s.agent_id === query.agent_id;
    const live = fromEvent(this.bus, METRICS_SAMPLE) as Observable<MetricsSnapshot>;
    return merge(from(this.latest.all()), live).pipe(
      filter(wanted),
      map((data) => ({ type: 'metrics', data })),
      takeUntil(this.shuttingDown),
    );
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown.next();
    this.shuttingDown.complete();
  }
}
