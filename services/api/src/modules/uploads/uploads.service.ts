import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { StorageService } from '../../core/storage/storage.service.ts';
import type { Account } from '../accounts/accounts.service.ts';
import { inspectAndReencode } from './image-inspection.ts';

export interface UploadView {
  id: string;
  width: number;
  height: number;
  sha256: string;
}

@Injectable()
export class UploadsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly storage: StorageService,
  ) {}

  async create(account: Account, bytes: Buffer): Promise<UploadView> {
    const image = await inspectAndReencode(bytes);
    const id = randomUUID();
    const key = `uploads/${account.id}/${id}.png`;
    const sha256 = createHash('sha256').update(image.png).digest('hex');
    await this.storage.put(key, image.png, 'image/png');
    await this.db.query(
      `INSERT INTO uploads (id, account_id, object_key, content_type, width, height, size_bytes, sha256)
       VALUES ($1, $2, $3, 'image/png', $4, $5, $6, $7)`,
      [id, account.id, key, image.width, image.height, image.png.length, sha256],
    );
    return { id, width: image.width, height: image.height, sha256 };
  }
}
