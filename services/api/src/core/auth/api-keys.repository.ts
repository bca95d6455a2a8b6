import { Injectable } from '@nestjs/common';
import { Database, type Sql } from '../database/database.ts';

/** An active API key as its owner sees it; the key itself is never stored, only its hash. */
export interface ApiKey {
  id: string;
  /** The team the key acts for. */
  teamId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/**
 * Owns the SQL of `api_keys`. It sits in core/auth, not modules/api-keys, because the auth
 * guard's directory (every request with a key) reads it, and core does not import modules.
 */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: Database) {}

  /** The owner of an active key, by its hash: prepared, as it runs for every uncached key on the busiest path. */
  async findActiveByHash(
    hash: string,
  ): Promise<{ userId: string; teamId: string; lastUsedAt: Date | null } | null> {
    const [row] = await this.db.prepared<{ user_id: string; team_id: string; last_used_at: Date | null }>(
      'api-key-lookup',
      `SELECT user_id, team_id, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    return row ? { userId: row.user_id, teamId: row.team_id, lastUsedAt: row.last_used_at } : null;
  }

  async touch(hash: string): Promise<void> {
    await this.db.execute(`UPDATE api_keys SET last_used_at = now() WHERE key_hash = $1`, [hash]);
  }

  async countActive(userId: string, sql: Sql = this.db): Promise<number> {
    const [{ count }] = await sql.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
    return count;
  }

  async insert(
    key: { userId: string; teamId: string; name: string; prefix: string; hash: string },
    sql: Sql = this.db,
  ): Promise<{ id: string; createdAt: Date }> {
    const [row] = await sql.query<{ id: string; created_at: Date }>(
      `INSERT INTO api_keys (user_id, team_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at`,
      [key.userId, key.teamId, key.name, key.prefix, key.hash],
    );
    return { id: row.id, createdAt: row.created_at };
  }

  /** A user's active keys, newest first. */
  async listActive(userId: string, sql: Sql = this.db): Promise<ApiKey[]> {
    const rows = await sql.query<{
      id: string;
      team_id: string;
      name: string;
      prefix: string;
      created_at: Date;
      last_used_at: Date | null;
    }>(
      `SELECT id, team_id, name, prefix, created_at, last_used_at FROM api_keys
        WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC`,
      [userId],
    );
    return rows.map((row) => ({
      id: row.id,
      teamId: row.team_id,
      name: row.name,
      prefix: row.prefix,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
    }));
  }

  /** Revokes the user's active key `id`; answers it as it was, or null when there is no such key. */
  async revoke(
    id: string,
    userId: string,
    sql: Sql = this.db,
  ): Promise<{ hash: string; name: string; prefix: string } | null> {
    const [row] = await sql.query<{ key_hash: string; name: string; prefix: string }>(
      `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
       RETURNING key_hash, name, prefix`,
      [id, userId],
    );
    return row ? { hash: row.key_hash, name: row.name, prefix: row.prefix } : null;
  }
}
