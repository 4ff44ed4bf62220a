import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AlertsModule } from './alerts/alerts.module';
import { AgentsModule } from './agents/agents.module';
import { AgentListenerModule } from './agents/listener/agent-listener.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import type { TytoConfig } from './common/config';
import { ConfigModule } from './common/config.module';
import { ErrorFilter } from './common/error.filter';
import { BusModule } from './common/bus.module';
import { RateCounterModule } from './common/rate-counter';
import { RedisModule } from './common/redis';
import { DatabaseModule } from './database/database.module';
import { DownloadsModule } from './downloads/downloads.module';
import { HealthModule } from './health/health.module';
import { HistoryModule } from './history/history.module';
import { LogsModule } from './logs/logs.module';
import { MetricsModule } from './metrics/metrics.module';
import { OpenApiModule } from './openapi/openapi.module';
import { PrometheusModule } from './prometheus/prometheus.module';
import { ProcessesModule } from './processes/processes.module';
import { RolesModule } from './roles/roles.module';
import { SettingsModule } from './settings/settings.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static forRoot(config: TytoConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        EventEmitterModule.forRoot({ wildcard: false, maxListeners: 1000 }),
        RedisModule,
        BusModule,
        RateCounterModule,
        DatabaseModule,
        HealthModule,
        AuditModule,
        RolesModule,
        UsersModule,
        AuthModule,
        MetricsModule,
        HistoryModule,
        SettingsModule,
        PrometheusModule,
        OpenApiModule,
        ProcessesModule,
        AlertsModule,
        AgentsModule,
        AgentListenerModule,
        DownloadsModule,
        LogsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ErrorFilter }],
    };
  }
}
