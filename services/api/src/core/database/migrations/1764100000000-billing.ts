import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Billing: what a payment buys, its life at the provider, the webhook events already applied,
 * and how long a bought plan lasts. Credits from a payment go through the ledger (kind `topup`,
 * reference = payment id), whose unique (kind, reference) index makes them land once.
 */
export class Billing1764100000000 implements MigrationInterface {
  name = 'Billing1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE payments
        ADD COLUMN product_kind text NOT NULL CHECK (product_kind IN ('pack', 'plan')),
        ADD COLUMN product_id text NOT NULL,
        ADD COLUMN failure_reason text,
        ADD CONSTRAINT payments_status CHECK (status IN ('pending', 'authorized', 'executed', 'settled', 'failed')),
        ADD CONSTRAINT payments_settled_at CHECK ((status = 'settled') = (settled_at IS NOT NULL))`);
    await db.query(`CREATE INDEX payments_account_recent ON payments (account_id, created_at DESC, id DESC)`);

    // Delivery is at-least-once: an event id seen here has been applied and is only acknowledged.
    await db.query(`
      CREATE TABLE payment_webhook_events (
        provider text NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        provider_payment_id text,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, event_id)
      )`);

    // A bought plan lasts until this instant; then the monthly job returns the account to free.
    // NULL: the plan was not bought online (free, or assigned by an admin).
    await db.query(`ALTER TABLE accounts ADD COLUMN plan_paid_until timestamptz`);

    await db.query(`GRANT SELECT, INSERT ON payment_webhook_events TO cineweave_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE accounts DROP COLUMN IF EXISTS plan_paid_until`);
    await db.query(`DROP TABLE IF EXISTS payment_webhook_events`);
    await db.query(`DROP INDEX IF EXISTS payments_account_recent`);
    await db.query(`
      ALTER TABLE payments
        DROP CONSTRAINT IF EXISTS payments_settled_at,
        DROP CONSTRAINT IF EXISTS payments_status,
        DROP COLUMN IF EXISTS failure_reason,
        DROP COLUMN IF EXISTS product_id,
        DROP COLUMN IF EXISTS product_kind`);
  }
}
