import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MembersService } from '../src/modules/teams/members.service.ts';
import { type Harness, checkInvariants, dev, startHarness } from './support/harness.ts';
import { asMember, teamWithMembers } from './support/teams.ts';

const JOB = { prompt: 'snow on a quiet platform', resolution: '640x352', durationSeconds: 1 };

describe(MembersService.name, () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('teams_members', { MAX_ACTIVE_JOBS_PER_USER: '4' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const owners = async (teamId: string) =>
    (
      await h.db.query(
        `SELECT user_id FROM team_members WHERE team_id = $1 AND role = 'owner' ORDER BY user_id`,
        [teamId],
      )
    ).rows.map((row) => row.user_id as string);

  /** A team with two owners, `a` and `b`. */
  const twoOwners = async (a: string, b: string) => {
    const teamId = await teamWithMembers(h, a, `Owned by ${a} and ${b}`, { admin: b }, 0);
    await request(h.server)
      .patch(`/v1/teams/${teamId}/members/${b}`)
      .set('Authorization', dev(a))
      .send({ role: 'owner' })
      .expect(200);
    return teamId;
  };

  it('should leave one owner when the last two owners demote each other at the same moment', async () => {
    for (let round = 0; round < 8; round++) {
      const [a, b] = [`dual-a-${round}`, `dual-b-${round}`];
      const teamId = await twoOwners(a, b);
      const answers = await Promise.all([
        request(h.server)
          .patch(`/v1/teams/${teamId}/members/${b}`)
          .set('Authorization', dev(a))
          .send({ role: 'admin' }),
        request(h.server)
          .patch(`/v1/teams/${teamId}/members/${a}`)
          .set('Authorization', dev(b))
          .send({ role: 'admin' }),
      ]);
      // The second to run finds it is no longer an owner, so may not take ownership away.
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 403]);
      expect(await owners(teamId)).toHaveLength(1);
    }
  });

  it('should leave one owner when both owners step down or leave at the same moment', async () => {
    for (let round = 0; round < 6; round++) {
      const [a, b] = [`step-a-${round}`, `step-b-${round}`];
      const teamId = await twoOwners(a, b);
      const answers = await Promise.all([
        round % 2 === 0
          ? request(h.server)
              .patch(`/v1/teams/${teamId}/members/${a}`)
              .set('Authorization', dev(a))
              .send({ role: 'member' })
          : request(h.server).delete(`/v1/teams/${teamId}/members/${a}`).set('Authorization', dev(a)),
        request(h.server).delete(`/v1/teams/${teamId}/members/${b}`).set('Authorization', dev(b)),
      ]);
      const refused = answers.find((answer) => answer.status === 409);
      expect(refused?.body.detail).toMatch(/last owner of team .*make someone else owner first/);
      expect(answers.filter((answer) => answer.status < 300)).toHaveLength(1);
      expect(await owners(teamId)).toHaveLength(1);
    }
  });

  it('should record one audit row per change, in the team organization, with before and after', async () => {
    const teamId = await twoOwners('trail-a', 'trail-b');
    await request(h.server)
      .patch(`/v1/teams/${teamId}/members/trail-b`)
      .set('Authorization', dev('trail-a'))
      .send({ role: 'viewer' })
      .expect(200);
    const { rows } = await h.db.query(
      `SELECT l.action, l.target_id, l.before, l.after, l.organization_id FROM audit_log l
        WHERE l.action = 'team.member-role-changed' AND l.target_id = $1 ORDER BY l.seq`,
      [`${teamId}:trail-b`],
    );
    const [{ organization_id: organizationId }] = (
      await h.db.query(`SELECT organization_id FROM accounts WHERE id = $1`, [teamId])
    ).rows;
    expect(rows).toEqual([
      {
        action: 'team.member-role-changed',
        target_id: `${teamId}:trail-b`,
        before: { teamId, userId: 'trail-b', role: 'admin' },
        after: { teamId, userId: 'trail-b', role: 'owner' },
        organization_id: organizationId,
      },
      {
        action: 'team.member-role-changed',
        target_id: `${teamId}:trail-b`,
        before: { teamId, userId: 'trail-b', role: 'owner' },
        after: { teamId, userId: 'trail-b', role: 'viewer' },
        organization_id: organizationId,
      },
    ]);
  });

  it('should make a new team in a new organization, or in one the caller owns a team in, and nowhere else', async () => {
    const first = await request(h.server)
      .post('/v1/teams')
      .set('Authorization', dev('org-founder'))
      .send({ name: 'Editors', organizationName: 'Northlight' })
      .expect(201);
    expect(first.body).toMatchObject({
      name: 'Editors',
      personal: false,
      plan: 'free',
      role: 'owner',
      isDefault: false,
    });
    expect(first.body.organization).toMatchObject({ name: 'Northlight' });
    const second = await request(h.server)
      .post('/v1/teams')
      .set('Authorization', dev('org-founder'))
      .send({ name: 'Colourists', organizationId: first.body.organization.id })
      .expect(201);
    expect(second.body.organization).toEqual(first.body.organization);
    const stranger = await request(h.server)
      .post('/v1/teams')
      .set('Authorization', dev('org-stranger'))
      .send({ name: 'Squatters', organizationId: first.body.organization.id })
      .expect(404);
    expect(stranger.body.detail).toMatch(/leave organizationId out/);
    const view = await request(h.server)
      .get(`/v1/teams/${first.body.id}`)
      .set('Authorization', dev('org-founder'))
      .expect(200);
    // A new team starts on the free plan with nothing to spend until an admin grants credits.
    expect(view.body).toMatchObject({
      credits: { balance: 0, reserved: 0, available: 0, plan: 'free' },
      memberCount: 1,
      month: { credits: 0 },
      limits: { activeJobLimit: null, monthlyCreditQuota: null, memberMonthlyCap: null },
      effectiveActiveJobLimit: 4,
    });
    const bad = await request(h.server)
      .post('/v1/teams')
      .set('Authorization', dev('org-founder'))
      .send({ name: ' ' })
      .expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'name' })]);
    const list = await request(h.server)
      .get('/v1/teams')
      .set('Authorization', dev('org-founder'))
      .expect(200);
    expect(
      list.body.items.map((team: { name: string; isDefault: boolean }) => [team.name, team.isDefault]),
    ).toEqual([
      ['Personal', true],
      ['Colourists', false],
      ['Editors', false],
    ]);
  });

  it('should act for the default team when a call names none, and only for a team the caller is in', async () => {
    const teamId = await teamWithMembers(h, 'dflt-owner', 'Default team', {}, 300);
    await request(h.server)
      .put('/v1/me/default-team')
      .set('Authorization', dev('dflt-outsider'))
      .send({ teamId })
      .expect(404);
    const chosen = await request(h.server)
      .put('/v1/me/default-team')
      .set('Authorization', dev('dflt-owner'))
      .send({ teamId })
      .expect(200);
    expect(chosen.body).toMatchObject({ id: teamId, isDefault: true });
    const job = await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev('dflt-owner'))
      .send(JOB)
      .expect(202);
    const { rows } = await h.db.query(`SELECT account_id FROM jobs WHERE id = $1`, [job.body.id]);
    expect(rows[0].account_id).toBe(teamId);
    const audit = await h.db.query(
      `SELECT after FROM audit_log WHERE action = 'team.default-changed' AND target_id = 'dflt-owner'`,
    );
    expect(audit.rows).toEqual([{ after: { teamId } }]);
    await checkInvariants(h.db);
  });

  it('should let an API key act on its own team only, and stop once its person leaves the team', async () => {
    const teamId = await teamWithMembers(h, 'key-owner', 'Keyed team', { admin: 'key-admin' }, 0);
    const other = await teamWithMembers(h, 'key-admin', 'Admin own team', {}, 0);
    const created = await request(h.server)
      .post('/v1/api-keys')
      .set(asMember('key-admin', teamId))
      .send({ name: 'team script' })
      .expect(201);
    const key = `Bearer ${created.body.key as string}`;
    await request(h.server).get(`/v1/teams/${teamId}`).set('Authorization', key).expect(200);
    const elsewhere = await request(h.server).get(`/v1/teams/${other}`).set('Authorization', key).expect(403);
    expect(elsewhere.body.detail).toMatch(/This API key acts for team .* only/);
    await request(h.server)
      .delete(`/v1/teams/${teamId}/members/key-admin`)
      .set('Authorization', dev('key-owner'))
      .expect(204);
    await request(h.server).get(`/v1/teams/${teamId}`).set('Authorization', key).expect(404);
    await request(h.server).get('/v1/credits').set('Authorization', key).expect(404);
  });

  it('should let install admins list teams, grant to a team and set its plan, audited', async () => {
    const teamId = await teamWithMembers(h, 'adm-owner', 'Granted team', { member: 'adm-member' }, 0);
    const granted = await request(h.server)
      .post(`/v1/admin/teams/${teamId}/credits`)
      .set('Authorization', dev('root-admin'))
      .send({ amount: 700, reason: 'Q3 allocation' })
      .expect(200);
    expect(granted.body).toEqual({ balance: 700, reserved: 0, available: 700, plan: 'free' });
    await request(h.server).post('/v1/jobs').set(asMember('adm-member', teamId)).send(JOB).expect(202);
    const overdraw = await request(h.server)
      .post(`/v1/admin/teams/${teamId}/credits`)
      .set('Authorization', dev('root-admin'))
      .send({ amount: -700, reason: 'take it all back' })
      .expect(422);
    expect(overdraw.body.detail).toMatch(/running jobs hold/);
    await request(h.server)
      .post(`/v1/admin/teams/5b0c4f5e-3d1c-4a57-9f0e-0a1b2c3d4e5f/credits`)
      .set('Authorization', dev('root-admin'))
      .send({ amount: 1, reason: 'nobody' })
      .expect(404);

    const plan = await request(h.server)
      .put(`/v1/admin/teams/${teamId}/plan`)
      .set('Authorization', dev('root-admin'))
      .send({ plan: 'pro' })
      .expect(200);
    expect(plan.body).toMatchObject({
      id: teamId,
      plan: 'pro',
      balance: 700,
      memberCount: 2,
      personal: false,
    });
    const view = await request(h.server)
      .get(`/v1/teams/${teamId}`)
      .set('Authorization', dev('adm-member'))
      .expect(200);
    // No team limit: the plan's (pro: 10); the team's own wins once set.
    expect(view.body.effectiveActiveJobLimit).toBe(10);
    await request(h.server)
      .patch(`/v1/teams/${teamId}/limits`)
      .set('Authorization', dev('adm-owner'))
      .send({ activeJobLimit: 2 })
      .expect(200);
    expect(
      (await request(h.server).get(`/v1/teams/${teamId}`).set('Authorization', dev('adm-member')).expect(200))
        .body.effectiveActiveJobLimit,
    ).toBe(2);
    const badPlan = await request(h.server)
      .put(`/v1/admin/teams/${teamId}/plan`)
      .set('Authorization', dev('root-admin'))
      .send({ plan: 'platinum' })
      .expect(400);
    expect(badPlan.body.errors).toEqual([expect.objectContaining({ field: 'plan' })]);

    const audit = await h.db.query(
      `SELECT action, before, after, organization_id IS NOT NULL AS in_org FROM audit_log
        WHERE target_id = $1 AND action IN ('credits.granted', 'plan.changed') ORDER BY seq`,
      [teamId],
    );
    expect(audit.rows).toEqual([
      {
        action: 'credits.granted',
        before: { balance: 0 },
        after: expect.objectContaining({ amount: 700, balance: 700 }),
        in_org: true,
      },
      {
        action: 'plan.changed',
        before: { plan: 'free', paidUntil: null },
        after: { plan: 'pro', paidUntil: null },
        in_org: true,
      },
    ]);

    // Every team, page by page, each once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(h.server)
        .get('/v1/admin/teams')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set('Authorization', dev('root-admin'))
        .expect(200);
      seen.push(...page.body.items.map((team: { id: string }) => team.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const { rows } = await h.db.query(`SELECT count(*)::int AS n FROM accounts`);
    expect(seen).toHaveLength(rows[0].n);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(teamId);
    await checkInvariants(h.db);
  });

  it('should still grant to a person through the by-user route, into their personal team', async () => {
    await request(h.server).post('/v1/users/init').set('Authorization', dev('by-user')).expect(200);
    const answer = await request(h.server)
      .post('/v1/admin/credits/grant')
      .set('Authorization', dev('root-admin'))
      .send({ userId: 'by-user', amount: 50, reason: 'loyalty' })
      .expect(200);
    expect(answer.body).toMatchObject({ balance: 150, plan: 'free' });
    const { rows } = await h.db.query(
      `SELECT l.amount FROM credit_ledger l JOIN accounts a ON a.id = l.account_id
        WHERE a.user_id = 'by-user' AND l.kind = 'grant' ORDER BY l.id`,
    );
    expect(rows.map((row) => row.amount)).toEqual([100, 50]);
  });
});
