import { Injectable } from '@nestjs/common';
import { Database, type Sql } from '../../core/database/database.ts';

/**
 * The `users` rows that stand for a Kubernetes namespace (`kubernetes:<namespace>`): jobs a
 * VideoJob submits for a team-annotated namespace are recorded under them (`jobs.user_id` must
 * name a user). They are never made members of a team, have no account of their own and no
 * email. Admission counts commitments per `jobs.user_id`, so a team's per-member monthly cap
 * treats each namespace as one submitter.
 */
@Injectable()
export class ServiceIdentitiesRepository {
  constructor(private readonly db: Database) {}

  /** Creates the identity on first use; calling it again (or twice at once) changes nothing. */
  async ensure(userId: string, sql: Sql = this.db): Promise<void> {
    await sql.execute(`INSERT INTO users (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [userId]);
  }
}
