import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { SettingsModule } from '../settings/settings.module';
import { AgentCertificateEntity } from './agent-certificate.entity';
import { AgentEntity } from './agent.entity';
import { AgentsPkiService } from './agents-pki.service';
import { AgentsController } from './agents.controller';
import { AgentsRepository } from './agents.repository';
import { AgentsService } from './agents.service';
import { EnrollmentLimit } from './enrollment-limit';
import { EnrollmentRequestEntity } from './enrollment-request.entity';
import { EnrollmentService } from './enrollment.service';

/** The agent registry, enrollment and PKI. The agent listener uses AgentsService and EnrollmentLimit. */
@Module({
  imports: [
    TypeOrmModule.forFeature([AgentEntity, EnrollmentRequestEntity, AgentCertificateEntity]),
    AuditModule,
    SettingsModule,
  ],
  controllers: [AgentsController],
  providers: [
    AgentsRepository,
    AgentsPkiService,
    EnrollmentService,
    AgentsService,
    EnrollmentLimit,
  ],
  exports: [AgentsService, EnrollmentLimit],
})
export class AgentsModule {}
