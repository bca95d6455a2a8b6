import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Moderation before charging, and the audit log (issue 21).
 *
 * - `moderation_policies`: the admins' term/pattern list and fail mode. Organizations do not exist
 *   yet, so there is one row per install (`organization_id IS NULL`); the unique index over
 *   `coalesce(organization_id, nil uuid)` lets an organization's own row be added later.
 * - `moderation_decisions`: every refusal and every classifier failure (admitted or refused), so an
 *   admin can see what the policy stopped and when the classifier was unreachable.
 * - `audit_log`: append-only like the ledger (the application role may INSERT and SELECT, never
 *   UPDATE, DELETE or TRUNCATE). Rows are hash-chained: `hash = sha256(prev_hash || canonical row)`,
 *   written under one advisory lock so the chain has exactly one head (see audit-chain.ts).
 */
export class Trust1765000000000 implements MigrationInterface {
  name = 'Trust1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE moderation_policies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid,
        terms text[] NOT NULL DEFAULT '{}',
        patterns text[] NOT NULL DEFAULT '{}',
        fail_mode text CHECK (fail_mode IN ('open', 'closed')),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text
      )`);
    await db.query(`
      CREATE UNIQUE INDEX moderation_policies_one_per_org
        ON moderation_policies ((coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid)))`);
    await db.query(`
      CREATE TABLE moderation_decisions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid,
        stage text NOT NULL CHECK (stage IN ('input', 'output')),
        outcome text NOT NULL CHECK (outcome IN ('refused', 'allowed-on-error', 'refused-on-error')),
        provider text NOT NULL,
        categories text[] NOT NULL DEFAULT '{}',
        user_id text,
        account_id uuid,
        job_id uuid,
        detail text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX moderation_decisions_recent ON moderation_decisions (created_at DESC, id DESC)`,
    );

    await db.query(`
      CREATE TABLE audit_log (
        seq bigint PRIMARY KEY,
        id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        organization_id uuid,
        occurred_at timestamptz NOT NULL,
        actor_type text NOT NULL CHECK (actor_type IN ('user', 'api-key', 'system')),
        actor_id text NOT NULL,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text NOT NULL,
        before jsonb,
        after jsonb,
        request_id text,
        source_address text,
        prev_hash text NOT NULL,
        hash text NOT NULL
      )`);
    await db.query(`CREATE INDEX audit_log_action ON audit_log (action, seq DESC)`);
    await db.query(`CREATE INDEX audit_log_actor ON audit_log (actor_id, seq DESC)`);
    await db.query(`CREATE INDEX audit_log_time ON audit_log (occurred_at)`);
    // Sessions seen: the first request of an admin's session writes the sign-in row (see AuditService).
    await db.query(`
      CREATE TABLE admin_sessions_seen (
        session_key text PRIMARY KEY,
        seen_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON moderation_policies, admin_sessions_seen TO cineweave_app`,
    );
    await db.query(`GRANT SELECT, INSERT ON moderation_decisions, audit_log TO cineweave_app`);
    await db.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM cineweave_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['admin_sessions_seen', 'audit_log', 'moderation_decisions', 'moderation_policies']) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
