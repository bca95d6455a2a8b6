import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole first schema. Credits are integers (never floats). The account row caches
 * `balance`, `reserved` and `active_jobs`, updated in the same transaction as the ledger rows
 * and jobs they summarise; CHECKs keep them sane even if a bug slips through.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE plans (
        id text PRIMARY KEY,
        name text NOT NULL,
        monthly_credits integer NOT NULL CHECK (monthly_credits >= 0),
        active_job_limit integer CHECK (active_job_limit IS NULL OR active_job_limit >= 1),
        price_minor integer CHECK (price_minor IS NULL OR price_minor >= 0),
        currency text NOT NULL DEFAULT 'GBP',
        sort_order integer NOT NULL
      )`);
    await db.query(`
      INSERT INTO plans (id, name, monthly_credits, active_job_limit, price_minor, sort_order) VALUES
        ('free', 'Free', 100, NULL, 0, 1),
        ('starter', 'Starter', 1000, 3, 900, 2),
        ('pro', 'Pro', 5000, 10, 2900, 3),
        ('enterprise', 'Enterprise', 50000, 50, NULL, 4)`);

    await db.query(`
      CREATE TABLE users (
        id text PRIMARY KEY,
        email text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id text NOT NULL UNIQUE REFERENCES users (id),
        plan_id text NOT NULL REFERENCES plans (id),
        balance integer NOT NULL DEFAULT 0,
        reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        active_jobs integer NOT NULL DEFAULT 0 CHECK (active_jobs >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT accounts_available_not_negative CHECK (balance - reserved >= 0)
      )`);

    await db.query(`
      CREATE TABLE uploads (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id),
        object_key text NOT NULL,
        content_type text NOT NULL,
        width integer NOT NULL,
        height integer NOT NULL,
        size_bytes integer NOT NULL,
        sha256 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX uploads_account ON uploads (account_id, created_at DESC)`);

    await db.query(`
      CREATE TABLE jobs (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id),
        user_id text NOT NULL REFERENCES users (id),
        status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired')),
        source text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'internal')),
        external_ref text,
        prompt text NOT NULL,
        negative_prompt text,
        image_upload_id uuid REFERENCES uploads (id),
        image_key text,
        image_sha256 text,
        resolution text NOT NULL,
        duration_seconds integer NOT NULL,
        fps integer NOT NULL,
        seed bigint NOT NULL,
        steps integer NOT NULL,
        guidance_scale double precision NOT NULL,
        model text NOT NULL,
        priority integer NOT NULL DEFAULT 50,
        credits_reserved integer NOT NULL CHECK (credits_reserved >= 0),
        credits_charged integer,
        attempt_token uuid NOT NULL,
        attempts integer NOT NULL DEFAULT 1,
        progress_percent real NOT NULL DEFAULT 0,
        failure_reason text,
        video_key text,
        thumbnail_key text,
        output_duration_seconds double precision,
        frames integer,
        model_hash text,
        worker_id text,
        gpu_seconds double precision,
        cancel_requested_at timestamptz,
        enqueued_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        expired_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX jobs_account_recent ON jobs (account_id, created_at DESC, id DESC)`);
    await db.query(
      `CREATE INDEX jobs_active ON jobs (status, created_at) WHERE status IN ('queued', 'running')`,
    );
    await db.query(`CREATE INDEX jobs_retention ON jobs (finished_at) WHERE status = 'succeeded'`);
    await db.query(`CREATE INDEX jobs_recent ON jobs (created_at DESC, id DESC)`);
    // A VideoJob's uid submits one job, however often the operator retries.
    await db.query(
      `CREATE UNIQUE INDEX jobs_external_ref ON jobs (external_ref) WHERE external_ref IS NOT NULL`,
    );

    await db.query(`
      CREATE TABLE credit_ledger (
        id bigserial PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id),
        kind text NOT NULL CHECK (kind IN ('grant', 'topup', 'reserve', 'capture', 'release', 'refund', 'adjust')),
        amount integer NOT NULL,
        reserved_delta integer NOT NULL DEFAULT 0,
        job_id uuid REFERENCES jobs (id),
        reference text,
        reason text,
        actor text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX credit_ledger_account ON credit_ledger (account_id, id DESC)`);
    // One reserve and at most one outcome per job, whatever arrives twice.
    await db.query(
      `CREATE UNIQUE INDEX credit_ledger_one_reserve ON credit_ledger (job_id) WHERE kind = 'reserve'`,
    );
    await db.query(
      `CREATE UNIQUE INDEX credit_ledger_one_outcome ON credit_ledger (job_id) WHERE kind IN ('capture', 'release')`,
    );
    // External facts (a sign-up grant, a settled payment) credit an account once.
    await db.query(
      `CREATE UNIQUE INDEX credit_ledger_reference ON credit_ledger (kind, reference) WHERE reference IS NOT NULL`,
    );

    await db.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        job_id uuid NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        dispatched_at timestamptz
      )`);
    await db.query(`CREATE INDEX outbox_pending ON outbox (id) WHERE dispatched_at IS NULL`);

    await db.query(`
      CREATE TABLE idempotency_keys (
        user_id text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('in_flight', 'done')),
        response_status integer,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        PRIMARY KEY (user_id, key)
      )`);

    await db.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id text NOT NULL REFERENCES users (id),
        name text NOT NULL,
        prefix text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await db.query(`CREATE INDEX api_keys_user ON api_keys (user_id, created_at DESC)`);

    // Filled by the payments issue: a verified, settled payment credits its account once.
    await db.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts (id),
        provider text NOT NULL,
        provider_payment_id text NOT NULL,
        status text NOT NULL,
        amount_minor integer NOT NULL CHECK (amount_minor >= 0),
        currency text NOT NULL,
        credits integer NOT NULL CHECK (credits >= 0),
        settled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (provider, provider_payment_id)
      )`);

    await this.grantApplicationRole(db);
  }

  /**
   * The application runs as `cineweave_app`: it may read and write everything except history.
   * The ledger is append-only for it (SELECT, INSERT only), so no bug or injection in the API
   * can rewrite a balance's past. Creating the role needs CREATEROLE; where the migration user
   * lacks it, a DBA creates the role and the grants below still apply.
   */
  private async grantApplicationRole(db: QueryRunner): Promise<void> {
    await db.query(`
      DO $$
      BEGIN
        CREATE ROLE cineweave_app NOLOGIN;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await db.query(`GRANT USAGE ON SCHEMA public TO cineweave_app`);
    await db.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON plans, users, accounts, uploads, jobs, outbox, idempotency_keys, api_keys, payments TO cineweave_app`,
    );
    await db.query(`GRANT SELECT, INSERT ON credit_ledger TO cineweave_app`);
    await db.query(`REVOKE UPDATE, DELETE, TRUNCATE ON credit_ledger FROM cineweave_app`);
    await db.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO cineweave_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'payments',
      'api_keys',
      'idempotency_keys',
      'outbox',
      'credit_ledger',
      'jobs',
      'uploads',
      'accounts',
      'users',
      'plans',
    ]) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
