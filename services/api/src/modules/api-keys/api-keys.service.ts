import { Injectable } from '@nestjs/common';
import { ApiKeyDirectory } from '../../core/auth/api-key-directory.ts';
import { ApiKeysRepository } from '../../core/auth/api-keys.repository.ts';
import { Database } from '../../core/database/database.ts';
import { generateApiKey } from '../../core/auth/api-key-hash.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import type { Account } from '../accounts/accounts.service.ts';
import { AuditService } from '../audit/audit.service.ts';

export interface ApiKeyView {
  id: string;
  teamId: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

const MAX_KEYS_PER_USER = 20;

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly db: Database,
    private readonly keys: ApiKeysRepository,
    private readonly directory: ApiKeyDirectory,
    private readonly audit: AuditService,
  ) {}

  /**
   * A key for `userId` acting in `team` (the route checked they are in it). The key itself is
   * returned here and never again: only its hash is stored.
   */
  async create(userId: string, team: Account, name: string): Promise<ApiKeyView & { key: string }> {
    const teamId = team.id;
    if ((await this.keys.countActive(userId)) >= MAX_KEYS_PER_USER) {
      throw new DomainError('CONFLICT', `You already have ${MAX_KEYS_PER_USER} API keys; revoke one first.`);
    }
    const { key, hash, prefix } = generateApiKey();
    const created = await this.db.transaction(async (tx) => {
      const inserted = await this.keys.insert({ userId, teamId, name, prefix, hash }, tx);
      await this.audit.record(
        {
          action: 'api-key.created',
          target: { type: 'api-key', id: inserted.id },
          after: { userId, teamId, name, prefix },
        },
        tx,
      );
      return inserted;
    });
    return {
      id: created.id,
      teamId,
      name,
      prefix,
      key,
      createdAt: created.createdAt.toISOString(),
      lastUsedAt: null,
    };
  }

  async list(userId: string): Promise<ApiKeyView[]> {
    const keys = await this.keys.listActive(userId);
    return keys.map((apiKey) => ({
      ...apiKey,
      createdAt: apiKey.createdAt.toISOString(),
      lastUsedAt: apiKey.lastUsedAt?.toISOString() ?? null,
    }));
  }

  async revoke(userId: string, id: string): Promise<void> {
    const revoked = await this.db.transaction(async (tx) => {
      const key = await this.keys.revoke(id, userId, tx);
      if (!key) throw new DomainError('NOT_FOUND', `API key ${id} was not found.`);
      await this.audit.record(
        {
          action: 'api-key.revoked',
          target: { type: 'api-key', id },
          before: { userId, name: key.name, prefix: key.prefix, revoked: false },
          after: { revoked: true },
        },
        tx,
      );
      return key;
    });
    await this.directory.revoked(revoked.hash);
  }
}
