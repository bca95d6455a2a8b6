import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outgoing webhooks (Standard Webhooks).
 *
 * - `webhook_endpoints` belong to an owner: an account today, a team once teams exist (`team_id`
 *   is there so an owner can be added without rewriting rows; exactly one of the two is set).
 *   `kind = 'job-urls'` is an account's signing identity for the per-job `webhookUrl`.
 * - `webhook_events` is an outbox written by triggers in the same transaction as the change it
 *   reports (a job's status or progress, an account's available credits), so no event is lost on
 *   a crash and no code path that changes a job can forget to report it. The trigger writes only
 *   when someone listens (an enabled endpoint for the type, or the job's own webhook URL).
 *   A job event carries a snapshot of the row, so the payload shows the job as it was then.
 * - `webhook_deliveries` (one per event and target) and `webhook_delivery_attempts` are the
 *   truth about delivery; BullMQ only schedules the attempts.
 */
export class Webhooks1764900000000 implements MigrationInterface {
  name = 'Webhooks1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid REFERENCES accounts (id) ON DELETE CASCADE,
        team_id uuid,
        kind text NOT NULL DEFAULT 'endpoint' CHECK (kind IN ('endpoint', 'job-urls')),
        url text,
        description text NOT NULL DEFAULT '',
        event_types text[] NOT NULL,
        credits_low_threshold integer NOT NULL DEFAULT 100,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        disabled_at timestamptz,
        consecutive_failures integer NOT NULL DEFAULT 0,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_endpoints_one_owner CHECK (num_nonnulls(account_id, team_id) = 1),
        CONSTRAINT webhook_endpoints_url_by_kind CHECK ((kind = 'endpoint') = (url IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id, created_at)`);
    await db.query(
      `CREATE UNIQUE INDEX webhook_endpoints_one_job_urls ON webhook_endpoints (account_id) WHERE kind = 'job-urls'`,
    );

    await db.query(`ALTER TABLE jobs ADD COLUMN webhook_url text`);

    await db.query(`
      CREATE TABLE webhook_events (
        id bigserial PRIMARY KEY,
        account_id uuid NOT NULL,
        type text NOT NULL,
        job_id uuid,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        message_id text NOT NULL,
        event_type text NOT NULL,
        url text NOT NULL,
        job_id uuid,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_response_status integer,
        last_latency_ms integer,
        last_response_body text,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await db.query(
      `CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC)`,
    );
    await db.query(
      `CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await db.query(
      `CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE status <> 'pending'`,
    );
    await db.query(`
      CREATE TABLE webhook_delivery_attempts (
        delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        response_status integer,
        latency_ms integer NOT NULL,
        response_body text,
        error text,
        succeeded boolean NOT NULL,
        PRIMARY KEY (delivery_id, attempt)
      )`);

    // Job events: queued on insert (and on a requeue), then started, a throttled progress, and the end.
    await db.query(`
      CREATE FUNCTION webhook_job_event() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        event text;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          event := 'job.queued';
        ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
          event := CASE NEW.status
            WHEN 'queued' THEN 'job.queued'
            WHEN 'running' THEN 'job.started'
            WHEN 'succeeded' THEN 'job.succeeded'
            WHEN 'failed' THEN 'job.failed'
            WHEN 'cancelled' THEN 'job.cancelled'
          END;
        ELSIF NEW.status = 'running'
          AND floor(NEW.progress_percent / 10) > floor(OLD.progress_percent / 10) THEN
          event := 'job.progress';
        END IF;
        IF event IS NULL THEN
          RETURN NULL;
        END IF;
        IF NEW.webhook_url IS NULL AND NOT EXISTS (
          SELECT 1 FROM webhook_endpoints e
           WHERE e.account_id = NEW.account_id AND e.kind = 'endpoint' AND e.enabled AND event = ANY (e.event_types)
        ) THEN
          RETURN NULL;
        END IF;
        INSERT INTO webhook_events (account_id, type, job_id, data) VALUES (NEW.account_id, event, NEW.id, to_jsonb(NEW));
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER jobs_webhook_events AFTER INSERT OR UPDATE OF status, progress_percent ON jobs
        FOR EACH ROW EXECUTE FUNCTION webhook_job_event()`);

    // credits.low: available credits fell below some listening endpoint's threshold.
    await db.query(`
      CREATE FUNCTION webhook_credits_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.balance - NEW.reserved < OLD.balance - OLD.reserved AND EXISTS (
          SELECT 1 FROM webhook_endpoints e
           WHERE e.account_id = NEW.id AND e.kind = 'endpoint' AND e.enabled AND 'credits.low' = ANY (e.event_types)
             AND NEW.balance - NEW.reserved < e.credits_low_threshold
             AND OLD.balance - OLD.reserved >= e.credits_low_threshold
        ) THEN
          INSERT INTO webhook_events (account_id, type, data)
          VALUES (NEW.id, 'credits.low', jsonb_build_object(
            'balance', NEW.balance, 'reserved', NEW.reserved,
            'available', NEW.balance - NEW.reserved, 'previousAvailable', OLD.balance - OLD.reserved));
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER accounts_webhook_events AFTER UPDATE OF balance, reserved ON accounts
        FOR EACH ROW EXECUTE FUNCTION webhook_credits_event()`);

    await db.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints, webhook_events, webhook_deliveries, webhook_delivery_attempts TO cineweave_app`,
    );
    await db.query(`GRANT USAGE, SELECT ON SEQUENCE webhook_events_id_seq TO cineweave_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER IF EXISTS accounts_webhook_events ON accounts`);
    await db.query(`DROP TRIGGER IF EXISTS jobs_webhook_events ON jobs`);
    await db.query(`DROP FUNCTION IF EXISTS webhook_credits_event()`);
    await db.query(`DROP FUNCTION IF EXISTS webhook_job_event()`);
    for (const table of [
      'webhook_delivery_attempts',
      'webhook_deliveries',
      'webhook_events',
      'webhook_endpoints',
    ]) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await db.query(`ALTER TABLE jobs DROP COLUMN IF EXISTS webhook_url`);
  }
}
