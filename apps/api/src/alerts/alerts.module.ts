import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module';
import { MetricsModule } from '../metrics/metrics.module';
import { AlertEvaluator } from './alert-evaluator.service';
import { ALERT_ENTITIES } from './alerts.entities';
import { AlertsController, ChannelsController } from './alerts.controller';
import { AlertsRepository, ChannelsRepository } from './alerts.repository';
import { AlertsService } from './alerts.service';
import { ChannelsService } from './channels.service';
import { NotificationsService } from './notifications.service';

@Module({
  imports: [TypeOrmModule.forFeature(ALERT_ENTITIES), MetricsModule, AgentsModule],
  // ChannelsController first: its static `channels` paths must not be read as an alert id.
  controllers: [ChannelsController, AlertsController],
  providers: [
    AlertsRepository,
    ChannelsRepository,
    AlertEvaluator,
    AlertsService,
    ChannelsService,
    NotificationsService,
  ],
  exports: [AlertEvaluator],
})
export class AlertsModule implements OnModuleInit {
  constructor(
    private readonly evaluator: AlertEvaluator,
    private readonly notifications: NotificationsService,
  ) {}

  onModuleInit(): void {
    this.notifications.setRemindableSource((now) => this.evaluator.remindable(now));
  }
}
