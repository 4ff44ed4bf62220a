import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Auth } from '../common/access.decorator';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { PrometheusService } from './prometheus.service';

@Controller('metrics')
export class PrometheusController {
  constructor(private readonly prometheus: PrometheusService) {}

  /** The Prometheus text exposition format; scrape with an API token holding `metrics:scrape`. */
  @Get()
  @ApiDoc({
    summary: 'Prometheus metrics of the hub and every host',
    produces: ['text/plain; version=0.0.4'],
  })
  @Auth('metrics:scrape')
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const body = await this.prometheus.metrics.scrape();
    reply.header('content-type', this.prometheus.metrics.contentType);
    return body;
  }
}
