import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RoleAdminService } from './role-admin.service';
import { RoleEntity } from './role.entity';
import { RolesController } from './roles.controller';
import { RolesRepository } from './roles.repository';
import { RolesService } from './roles.service';

@Module({
  imports: [TypeOrmModule.forFeature([RoleEntity])],
  controllers: [RolesController],
  providers: [RolesRepository, RolesService, RoleAdminService],
  exports: [RolesRepository, RolesService],
})
export class RolesModule {}
