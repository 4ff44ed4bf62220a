import { Controller, Get, Res } from '@nestjs/common';
import { StreamQuerySchema, type Permission, type StreamQuery } from '@tyto/contracts';
import type { FastifyReply } from 'fastify';
import { Auth } from '../common/access.decorator';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { CurrentPrincipal, type Principal } from '../common/principal';
import { ValidQuery } from '../common/validation';
import { StreamHub } from './stream-hub.service';

/** Held for as long as the stream is open, not just when it opens. */
const STREAM_PERMISSION: Permission = 'dashboard:view';

@Controller('api/v1')
export class StreamController {
  constructor(private readonly hub: StreamHub) {}

  /**
   * SSE: `event: metrics` per sample, starting with the newest known one of each agent; with
   * `view=fleet`, one `event: fleet` per tick holding every agent's newest sample instead.
   */
  @Get('stream')
  @ApiDoc({ summary: 'Live metrics (Server-Sent Events)', produces: ['text/event-stream'] })
  @Auth(STREAM_PERMISSION)
  stream(
    @ValidQuery(StreamQuerySchema) query: StreamQuery,
    @CurrentPrincipal() principal: Principal,
    @Res() reply: FastifyReply,
  ): void {
    // The hub writes to the socket itself: one serialised frame for every client.
    reply.hijack();
    this.hub.open(reply.raw, principal, STREAM_PERMISSION, {
      agentId: query.agent_id,
      fleet: query.view === 'fleet',
    });
  }
}
