import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiKeyDirectory } from '../../core/auth/api-key-directory.ts';
import { generateApiKey } from '../../core/auth/api-key-hash.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { AccountsService } from '../accounts/accounts.service.ts';
import { AuditService } from '../audit/audit.service.ts';
import { returningRows } from '../../core/database/returning.ts';

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

const MAX_KEYS_PER_USER = 20;

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly accounts: AccountsService,
    private readonly directory: ApiKeyDirectory,
    private readonly audit: AuditService,
  ) {}

  /** The key itself is returned here and never again: only its hash is stored. */
  async create(userId: string, name: string): Promise<ApiKeyView & { key: string }> {
    await this.accounts.ensureAccount(userId);
    const [{ count }]: { count: number }[] = await this.db.query(
      `SELECT count(*)::int AS count FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
    if (count >= MAX_KEYS_PER_USER) {
      throw new DomainError('CONFLICT', `You already have ${MAX_KEYS_PER_USER} API keys; revoke one first.`);
    }
    const { key, hash, prefix } = generateApiKey();
    const rows = await this.db.transaction(async (tx) => {
      const inserted: { id: string; created_at: Date }[] = await tx.query(
        `INSERT INTO api_keys (user_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4) RETURNING id, created_at`,
        [userId, name, prefix, hash],
      );
      await this.audit.record(
        {
          action: 'api-key.created',
          target: { type: 'api-key', id: inserted[0].id },
          after: { userId, name, prefix },
        },
        tx,
      );
      return inserted;
    });
    return {
      id: rows[0].id,
      name,
      prefix,
      key,
      createdAt: rows[0].created_at.toISOString(),
      lastUsedAt: null,
    };
  }

  async list(userId: string): Promise<ApiKeyView[]> {
    const rows: { id: string; name: string; prefix: string; created_at: Date; last_used_at: Date | null }[] =
      await this.db.query(
        `SELECT id, name, prefix, created_at, last_used_at FROM api_keys
          WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC`,
        [userId],
      );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      createdAt: row.created_at.toISOString(),
      lastUsedAt: row.last_used_at?.toISOString() ?? null,
    }));
  }

  async revoke(userId: string, id: string): Promise<void> {
    const rows = await this.db.transaction(async (tx) => {
      const revoked = returningRows<{ key_hash: string; name: string; prefix: string }>(
        await tx.query(
          `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
           RETURNING key_hash, name, prefix`,
          [id, userId],
        ),
      );
      if (revoked.length === 0) throw new DomainError('NOT_FOUND', `API key ${id} was not found.`);
      await this.audit.record(
        {
          action: 'api-key.revoked',
          target: { type: 'api-key', id },
          before: { userId, name: revoked[0].name, prefix: revoked[0].prefix, revoked: false },
          after: { revoked: true },
        },
        tx,
      );
      return revoked;
    });
    await this.directory.revoked(rows[0].key_hash);
  }
}
