import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Teams (issue #19). A team's credit pool is its `accounts` row: the ledger, the cached totals,
 * the plan, jobs, uploads and payments already hang off it, so every account becomes a team in
 * place and keeps its balance, ledger and jobs exactly. What was one person's account becomes
 * that person's personal team (`personal`, owned by `user_id`); teams made later have no
 * `user_id` and belong to an organization. Membership, not `accounts.user_id`, decides who may
 * act for a team from now on.
 */
export class Teams1765400000000 implements MigrationInterface {
  name = 'Teams1765400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
        created_by text REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    // `personal` follows `user_id`, so an account made the old way (a person's) is a personal team.
    await db.query(`
      ALTER TABLE accounts
        ADD COLUMN name text NOT NULL DEFAULT 'Personal' CHECK (length(name) BETWEEN 1 AND 80),
        ADD COLUMN personal boolean NOT NULL GENERATED ALWAYS AS (user_id IS NOT NULL) STORED,
        ADD COLUMN organization_id uuid REFERENCES organizations (id),
        ADD COLUMN active_job_limit integer CHECK (active_job_limit IS NULL OR active_job_limit >= 1),
        ADD COLUMN monthly_credit_quota integer CHECK (monthly_credit_quota IS NULL OR monthly_credit_quota >= 0),
        ADD COLUMN member_monthly_cap integer CHECK (member_monthly_cap IS NULL OR member_monthly_cap >= 0),
        ALTER COLUMN user_id DROP NOT NULL,
        ADD CONSTRAINT accounts_team_in_organization CHECK (user_id IS NOT NULL OR organization_id IS NOT NULL)`);
    await db.query(
      `CREATE INDEX accounts_organization ON accounts (organization_id) WHERE organization_id IS NOT NULL`,
    );

    await db.query(`
      CREATE TABLE team_members (
        team_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        user_id text NOT NULL REFERENCES users (id),
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
        source text NOT NULL CHECK (source IN ('personal', 'manual', 'invitation', 'sso')),
        joined_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, user_id)
      )`);
    await db.query(`CREATE INDEX team_members_user ON team_members (user_id)`);
    await db.query(`
      INSERT INTO team_members (team_id, user_id, role, source, joined_at)
      SELECT id, user_id, 'owner', 'personal', created_at FROM accounts`);
    // A personal team's person owns it from the moment it exists, however the row was made.
    await db.query(`
      CREATE FUNCTION accounts_personal_owner() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO team_members (team_id, user_id, role, source, joined_at)
        VALUES (NEW.id, NEW.user_id, 'owner', 'personal', NEW.created_at) ON CONFLICT DO NOTHING;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER accounts_personal_owner AFTER INSERT ON accounts
        FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION accounts_personal_owner()`);

    // The team a call acts for when it names none.
    await db.query(`ALTER TABLE users ADD COLUMN default_team_id uuid REFERENCES accounts (id)`);
    await db.query(`UPDATE users u SET default_team_id = a.id FROM accounts a WHERE a.user_id = u.id`);

    // An API key belongs to a person and acts within one team (a key made before teams: their personal team).
    await db.query(`ALTER TABLE api_keys ADD COLUMN team_id uuid REFERENCES accounts (id)`);
    await db.query(`UPDATE api_keys k SET team_id = a.id FROM accounts a WHERE a.user_id = k.user_id`);
    await db.query(`ALTER TABLE api_keys ALTER COLUMN team_id SET NOT NULL`);

    await db.query(`
      CREATE TABLE team_invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        email text,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
        invited_by text NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        accepted_by text REFERENCES users (id),
        revoked_at timestamptz,
        CONSTRAINT team_invitations_one_end CHECK (accepted_at IS NULL OR revoked_at IS NULL)
      )`);
    await db.query(`CREATE INDEX team_invitations_team ON team_invitations (team_id, created_at DESC)`);

    // Monthly quotas sum a team's (and a member's) commitments of the month.
    await db.query(
      `CREATE INDEX jobs_team_month ON jobs (account_id, created_at) INCLUDE (user_id, credits_reserved, credits_charged, status)`,
    );

    await db.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON organizations, team_members, team_invitations TO cineweave_app`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS jobs_team_month`);
    await db.query(`DROP TABLE IF EXISTS team_invitations`);
    await db.query(`ALTER TABLE api_keys DROP COLUMN IF EXISTS team_id`);
    await db.query(`ALTER TABLE users DROP COLUMN IF EXISTS default_team_id`);
    await db.query(`DROP TRIGGER IF EXISTS accounts_personal_owner ON accounts`);
    await db.query(`DROP FUNCTION IF EXISTS accounts_personal_owner()`);
    await db.query(`DROP TABLE IF EXISTS team_members`);
    // Teams that were never one person's have no place in the old schema.
    await db.query(`DELETE FROM accounts WHERE user_id IS NULL`);
    await db.query(`
      ALTER TABLE accounts
        DROP CONSTRAINT IF EXISTS accounts_team_in_organization,
        DROP COLUMN IF EXISTS member_monthly_cap,
        DROP COLUMN IF EXISTS monthly_credit_quota,
        DROP COLUMN IF EXISTS active_job_limit,
        DROP COLUMN IF EXISTS organization_id,
        DROP COLUMN IF EXISTS personal,
        DROP COLUMN IF EXISTS name,
        ALTER COLUMN user_id SET NOT NULL`);
    await db.query(`DROP TABLE IF EXISTS organizations`);
  }
}
