import { Controller, Get } from '@nestjs/common';
import {
  AuditListResponseSchema,
  AuditQuerySchema,
  type AuditListResponse,
  type AuditQuery,
} from '@tyto/contracts';
import { Auth } from '../common/access.decorator';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { ValidQuery } from '../common/validation';
import { AuditService } from './audit.service';

@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiDoc({ summary: 'Search the audit log', response: AuditListResponseSchema })
  @Auth('audit:view')
  list(@ValidQuery(AuditQuerySchema) query: AuditQuery): Promise<AuditListResponse> {
    return this.audit.list(query);
  }
}
