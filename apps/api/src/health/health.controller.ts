import { Controller, Get } from '@nestjs/common';
import { HealthResponseSchema, type HealthResponse } from '@tyto/contracts';
import { Auth } from '../common/access.decorator';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { TYTO_VERSION } from '../common/version';

const startedAt = Date.now();

@Controller('health')
export class HealthController {
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
}
