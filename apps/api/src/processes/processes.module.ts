import { Module } from '@nestjs/common';
import { LocalProcessControl } from './local-process-control';
import { ProcessesController } from './processes.controller';
import { ProcessesService } from './processes.service';

@Module({
  controllers: [ProcessesController],
  // Remote hosts: the agents module adds its resolver through ProcessesService.register.
  providers: [LocalProcessControl, ProcessesService],
  exports: [ProcessesService],
})
export class ProcessesModule {}
