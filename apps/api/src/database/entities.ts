import { AuditEntryEntity } from '../audit/audit-entry.entity';
import { SessionEntity } from '../auth/session.entity';
import { HISTORY_ENTITIES } from '../history/history.entities';
import { RoleEntity } from '../roles/role.entity';
import { SettingEntity } from '../settings/setting.entity';
import { ApiTokenEntity } from '../tokens/api-token.entity';
import { UserEntity } from '../users/user.entity';

/** Every entity of the hub; the migration check compares this model with both migration sets. */
export const ENTITIES = [
  RoleEntity,
  UserEntity,
  SessionEntity,
  AuditEntryEntity,
  ...HISTORY_ENTITIES,
  SettingEntity,
  ApiTokenEntity,
];
