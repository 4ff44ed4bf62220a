import { Column, Entity, Index, JoinTable, ManyToMany, PrimaryColumn } from 'typeorm';
import { RoleEntity } from '../roles/role.entity';

export type AuthProvider = 'local' | 'ldap' | 'oidc';

/**
 * A user is keyed by (auth_provider, external_id): the user id for local accounts, the entry's
 * UUID (or DN) for LDAP, `issuer#sub` for OIDC. Usernames are unique per provider only, so a
 * local `alice` and a directory `alice` are two accounts.
 */
@Entity('users')
@Index('uq_users_provider_username', ['authProvider', 'usernameKey'], { unique: true })
@Index('uq_users_provider_external_id', ['authProvider', 'externalId'], { unique: true })
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  username!: string;

  /** Lower-cased username: uniqueness (per provider) is case-insensitive on both databases. */
  @Column({ name: 'username_key', type: 'varchar', length: 128 })
  usernameKey!: string;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  /** argon2id PHC string; null for users of an external provider. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @Column({ name: 'auth_provider', type: 'varchar', length: 16, default: 'local' })
  authProvider!: AuthProvider;

  // The default only lets the migration add the column in place (SQLite would otherwise rebuild
  // the table, and dropping `users` cascades to sessions and roles); every insert sets it.
  @Column({ name: 'external_id', type: 'varchar', length: 512, default: '' })
  externalId!: string;

  /**
   * Role ids the provider's groups or claims gave at the last sign-in (null for local users);
   * `roles` holds these plus any an administrator pinned.
   */
  @Column({ name: 'provider_roles', type: 'simple-json', nullable: true })
  providerRoles!: string[] | null;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  @Column({ name: 'created_at', type: 'varchar', length: 32 })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 32 })
  updatedAt!: string;

  @Column({ name: 'last_login', type: 'varchar', length: 32, nullable: true })
  lastLogin!: string | null;

  @ManyToMany(() => RoleEntity)
  @JoinTable({
    name: 'user_roles',
    joinColumn: { name: 'user_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'role_id', referencedColumnName: 'id' },
  })
  roles!: RoleEntity[];
}
