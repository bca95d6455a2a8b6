import { Injectable } from '@nestjs/common';
import { Database } from '../../core/database/database.ts';

/** What readiness asks Postgres. */
@Injectable()
export class HealthRepository {
  constructor(private readonly db: Database) {}

  /** Resolves when Postgres answers a statement on a pooled connection. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
