import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.ts';
import { REDIS } from '../redis/redis.module.ts';
import { hashApiKey } from './api-key-hash.ts';
import { ApiKeysRepository } from './api-keys.repository.ts';

/** Whose a key is: a person, acting for one team. */
export interface ApiKeyOwner {
  userId: string;
  teamId: string;
}

/** How long a looked-up key is trusted without asking Postgres again. */
const TRUST_MS = 10_000;
/** "Last used" to the minute is enough, and spares a write on every scripted request. */
const LAST_USED_RESOLUTION_MS = 60_000;
const MAX_ENTRIES = 50_000;

interface KnownKey {
  owner: ApiKeyOwner;
  trustedUntil: number;
  lastUsedWrittenAt: number;
}

/**
 * Who an API key belongs to. Scripts send a key with every request, so a key once looked up is
 * remembered for a few seconds: that spares Postgres a query per request on the busiest path
 * (job submission). A revocation is published on Redis and every replica forgets the key at
 * once; if that message is lost (Redis away), the key stops working within TRUST_MS anyway,
 * and a replica whose subscription drops forgets every key.
 */
@Injectable()
export class ApiKeyDirectory implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyDirectory.name);
  private readonly known = new Map<string, KnownKey>();
  private readonly channel: string;
  private subscriber: Redis | undefined;

  constructor(
    private readonly keys: ApiKeysRepository,
    @Inject(REDIS) private readonly redis: Redis,
    config: AppConfig,
  ) {
    this.channel = `${config.env.REDIS_PREFIX}:api-key-revoked`;
  }

  async onModuleInit(): Promise<void> {
    this.subscriber = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.subscriber.on('message', (_channel: string, hash: string) => this.known.delete(hash));
    // Revocations said while we were not listening are lost: trust nothing remembered from before.
    this.subscriber.on('ready', () => this.known.clear());
    this.subscriber.on('error', (error: Error) =>
      this.logger.warn({ error: error.message }, 'API key revocation channel unavailable'),
    );
    await this.subscriber.subscribe(this.channel);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }

  /** The person an active key belongs to and the team it acts for, or null when it is unknown or revoked. */
  async ownerOf(key: string): Promise<ApiKeyOwner | null> {
    const hash = hashApiKey(key);
    const now = Date.now();
    const cached = this.known.get(hash);
    if (cached && cached.trustedUntil > now) {
      this.touch(hash, cached, now);
      return cached.owner;
    }
    const found = await this.keys.findActiveByHash(hash);
    if (!found) {
      this.known.delete(hash);
      return null;
    }
    const entry: KnownKey = {
      owner: { userId: found.userId, teamId: found.teamId },
      trustedUntil: now + TRUST_MS,
      lastUsedWrittenAt: found.lastUsedAt?.getTime() ?? 0,
    };
    if (this.known.size >= MAX_ENTRIES) this.known.clear();
    this.known.set(hash, entry);
    this.touch(hash, entry, now);
    return entry.owner;
  }

  /** After a key is revoked in Postgres: every replica stops accepting it now. */
  async revoked(hash: string): Promise<void> {
    this.known.delete(hash);
    await this.redis
      .publish(this.channel, hash)
      .catch((error: Error) =>
        this.logger.warn(
          { error: error.message },
          `Could not announce an API key revocation; other replicas drop the key within ${TRUST_MS / 1000} s`,
        ),
      );
  }

  private touch(hash: string, entry: KnownKey, now: number): void {
    if (now - entry.lastUsedWrittenAt < LAST_USED_RESOLUTION_MS) return;
    entry.lastUsedWrittenAt = now;
    void this.keys
      .touch(hash)
      .catch((error: Error) => this.logger.warn({ error: error.message }, 'Could not record API key use'));
  }
}
