import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RolesModule } from '../roles/roles.module';
import { PasswordPolicy } from './password-policy';
import { PasswordService } from './password.service';
import { UserAdminService } from './user-admin.service';
import { UserEntity } from './user.entity';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), RolesModule],
  controllers: [UsersController],
  providers: [UsersRepository, UsersService, PasswordService, PasswordPolicy, UserAdminService],
  exports: [UsersRepository, UsersService, PasswordService, PasswordPolicy],
})
export class UsersModule {}
