import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AccountService } from './account.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle';
import { SessionEntity } from './session.entity';
import { SessionsRepository } from './sessions.repository';
import { AuthProvidersService } from './auth-providers.service';
import { OidcController } from './oidc.controller';
import { LdapDirectory } from './strategies/ldap-directory';
import { LdapStrategy } from './strategies/ldap.strategy';
import { LocalStrategy } from './strategies/local.strategy';
import { OidcStrategy } from './strategies/oidc.strategy';

@Module({
  imports: [TypeOrmModule.forFeature([SessionEntity]), UsersModule, AuditModule, TokensModule],
  controllers: [AuthController, OidcController],
  providers: [
    SessionsRepository,
    AuthService,
    LocalStrategy,
    LdapStrategy,
    LdapDirectory,
    OidcStrategy,
    AuthProvidersService,
    AccountService,
    LoginThrottle,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}
