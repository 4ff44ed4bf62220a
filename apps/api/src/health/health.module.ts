import { Module } from '@nestjs/common';
import { DatabaseCheck } from './database.check';
import { HealthController } from './health.controller';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness';
import { ReadinessService } from './readiness.service';

@Module({
  controllers: [HealthController],
  providers: [
    DatabaseCheck,
    {
      provide: READINESS_CHECKS,
      inject: [DatabaseCheck],
      useFactory: (...checks: ReadinessCheck[]): ReadinessCheck[] => checks,
    },
    ReadinessService,
  ],
})
export class HealthModule {}
