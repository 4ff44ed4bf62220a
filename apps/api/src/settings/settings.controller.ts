import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  RefreshIntervalRequestSchema,
  SettingsResponseSchema,
  type RefreshIntervalRequest,
  type SettingsResponse,
} from '@tyto/contracts';
import { Audit, AuditAction, type AuditNote } from '../audit/audit.decorator';
import { Auth } from '../common/access.decorator';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { ValidBody } from '../common/validation';
import { SettingsService } from './settings.service';

@Controller('api/v1/settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  /** Read-only facts the dashboard needs (refresh rate, how far back history goes). */
  @Get()
  @ApiDoc({ summary: 'Refresh interval and history retention', response: SettingsResponseSchema })
  @Auth('dashboard:view')
  get(): SettingsResponse {
    return this.settings.get();
  }

  @Post('refresh')
  @ApiDoc({ summary: 'Change the sampling interval' })
  @Auth('settings:manage')
  @AuditAction('settings.refresh')
  @HttpCode(200)
  refresh(
    @ValidBody(RefreshIntervalRequestSchema) body: RefreshIntervalRequest,
    @Audit() note: AuditNote,
  ) {
    // The entry says what changed, not only what was asked.
    note.details = { old_interval: this.settings.get().refresh_interval, interval: body.interval };
    return this.settings.setRefreshInterval(body.interval);
  }
}
