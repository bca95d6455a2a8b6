import type { TeamRole } from '@cineweave/contracts';
import { randomUUID } from 'node:crypto';
import { LedgerRepository } from '../../src/modules/ledger/ledger.repository.ts';
import type { Harness } from './harness.ts';

/**
 * A team of an organization, as the team routes would make it, written directly: suites that are
 * not about team routes need a team to act in. Members must exist (have called the API once).
 * `credits` are granted through the ledger, so every invariant holds.
 */
export async function makeTeam(
  h: Harness,
  options: {
    id?: string;
    name?: string;
    members?: [userId: string, role: TeamRole, source?: 'manual' | 'invitation' | 'sso'][];
    credits?: number;
  } = {},
): Promise<string> {
  const id = options.id ?? randomUUID();
  const organization = await h.db.query<{ id: string }>(
    `INSERT INTO organizations (name) VALUES ($1) RETURNING id`,
    [`${options.name ?? 'Team'} org`],
  );
  await h.db.query(`INSERT INTO accounts (id, name, organization_id, plan_id) VALUES ($1, $2, $3, 'free')`, [
    id,
    options.name ?? 'Team',
    organization.rows[0].id,
  ]);
  for (const [userId, role, source = 'manual'] of options.members ?? []) {
    await h.db.query(`INSERT INTO team_members (team_id, user_id, role, source) VALUES ($1, $2, $3, $4)`, [
      id,
      userId,
      role,
      source,
    ]);
  }
  if (options.credits) {
    await h.app.get(LedgerRepository, { strict: false }).record([
      {
        accountId: id,
        kind: 'grant',
        amount: options.credits,
        reference: `test:${id}`,
        reason: 'Test credits',
        actor: 'system',
      },
    ]);
  }
  return id;
}
