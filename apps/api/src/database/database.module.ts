import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TYTO_CONFIG, type TytoConfig } from '../common/config';
import { dataSourceOptions, openDataSource } from './data-source';
import { JobLeases } from './job-leases';

// Global: every module with a periodic job takes its lease from JobLeases.
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [TYTO_CONFIG],
      useFactory: (config: TytoConfig) => ({
        ...dataSourceOptions(config),
        retryAttempts: 3,
        retryDelay: 1000,
      }),
      dataSourceFactory: (options) => {
        if (!options) throw new Error('no database options');
        return openDataSource(options);
      },
    }),
  ],
  providers: [JobLeases],
  exports: [JobLeases],
})
export class DatabaseModule {}
