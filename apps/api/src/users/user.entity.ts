import { Column, Entity, Index, JoinTable, ManyToMany, PrimaryColumn } from 'typeorm';
import { RoleEntity } from '../roles/role.entity';

export type AuthProvider = 'local' | 'ldap' | 'oidc';

@Entity('users')
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  username!: string;

  /** Lower-cased username: uniqueness is case-insensitive on both databases. */
  @Index('uq_users_username_key', { unique: true })
  @Column({ name: 'username_key', type: 'varchar', length: 128 })
  usernameKey!: string;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  /** argon2id PHC string; null for users of an external provider. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @Column({ name: 'auth_provider', type: 'varchar', length: 16, default: 'local' })
  authProvider!: AuthProvider;

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
