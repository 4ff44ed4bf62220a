import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SettingEntity } from './setting.entity';

@Injectable()
export class SettingsRepository {
  constructor(@InjectRepository(SettingEntity) private readonly repo: Repository<SettingEntity>) {}

  /** The stored JSON value of a setting, parsed; undefined when it was never set. */
  async get(key: string): Promise<unknown> {
    const row = await this.repo.findOneBy({ key });
    return row ? (JSON.parse(row.value) as unknown) : undefined;
  }

  async set(key: string, value: unknown, at: string): Promise<void> {
    await this.repo.upsert({ key, value: JSON.stringify(value), updatedAt: at }, ['key']);
  }
}
