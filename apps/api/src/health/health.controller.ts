import { Controller, Get } from '@nestjs/common';
import {
  HealthResponseSchema,
  ReadinessResponseSchema,
  type HealthResponse,
  type ReadinessResponse,
} from '@tyto/contracts';
import { Auth } from '../common/access.decorator';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { TYTO_VERSION } from '../common/version';
import { ReadinessService } from './readiness.service';

const startedAt = Date.now();

@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness: the process answers. */
  @Get()
  @ApiDoc({ summary: 'Liveness and version', response: HealthResponseSchema })
  @Auth('public')
  health(): HealthResponse {
    return {
      status: 'ok',
      version: TYTO_VERSION,
      uptime: Math.floor((Date.now() - startedAt) / 1000),
    };
  }

  /** Readiness: the hub's dependencies answer too; 503 NOT_READY when one does not. */
  @Get('ready')
  @ApiDoc({ summary: 'Readiness: the database answers', response: ReadinessResponseSchema })
  @Auth('public')
  ready(): Promise<ReadinessResponse> {
    return this.readiness.ready();
  }
}
