import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokensRepository } from './api-tokens.repository';
import { TokensAdminController, TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

// No import of AuthModule: AuthService asks this module about `tyto_` tokens, not the reverse.
@Module({
  imports: [TypeOrmModule.forFeature([ApiTokenEntity])],
  controllers: [TokensController, TokensAdminController],
  providers: [ApiTokensRepository, TokensService],
  exports: [TokensService],
})
export class TokensModule {}
