import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Hub-wide settings changed at run time through the API; each value is JSON. */
@Entity('settings')
export class SettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key!: string;

  @Column({ type: 'varchar', length: 4096 })
  value!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 32 })
  updatedAt!: string;
}
