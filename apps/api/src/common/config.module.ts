import { DynamicModule, Global, Module } from '@nestjs/common';
import { TYTO_CONFIG, type TytoConfig } from './config';

/** Makes the parsed configuration injectable everywhere as TYTO_CONFIG. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: TytoConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: TYTO_CONFIG, useValue: config }],
      exports: [TYTO_CONFIG],
    };
  }
}
