import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAM_HEADER, namespaceIdentity } from '@cineweave/contracts';
import { type Harness, INTERNAL_TOKEN, checkInvariants, dev, startHarness } from './support/harness.ts';

const SPEC = { prompt: 'a fox in the snow', resolution: '640x352', durationSeconds: 1 };
const OWNER = 'team-owner';

/** A team owned by `owner`, made as its owner and an admin would: created and granted `credits`. */
async function createTeam(h: Harness, name: string, owner: string, credits: number): Promise<string> {
  const team = await request(h.server)
    .post('/v1/teams')
    .set('Authorization', dev(owner))
    .send({ name })
    .expect(201);
  await request(h.server)
    .post(`/v1/admin/teams/${team.body.id}/credits`)
    .set('Authorization', dev('internal-admin', true))
    .send({ amount: credits, reason: 'test grant' })
    .expect(200);
  return team.body.id;
}

describe('internal job submission charged to a team (namespace → team)', () => {
  let h: Harness;
  let teamId: string;
  const submit = (body: Record<string, unknown>) =>
    request(h.server).post('/internal/v1/jobs').set('Authorization', `Bearer ${INTERNAL_TOKEN}`).send(body);
  const internalGet = (path: string) =>
    request(h.server).get(path).set('Authorization', `Bearer ${INTERNAL_TOKEN}`);

  beforeAll(async () => {
    h = await startHarness('internal_teams');
    await request(h.server).get('/v1/me').set('Authorization', dev(OWNER)).expect(200);
    teamId = await createTeam(h, 'Studio', OWNER, 50);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("should charge the annotated team and record the job under the namespace's identity, never a member", async () => {
    const uid = randomUUID();
    const first = await submit({ uid, teamId, namespace: 'studio-a', spec: SPEC }).expect(202);
    await submit({ uid, teamId, namespace: 'studio-a', spec: SPEC }).expect(200);
    const { rows } = await h.db.query(
      `SELECT account_id, user_id, source FROM jobs WHERE external_ref = $1`,
      [uid],
    );
    expect(rows).toEqual([{ account_id: teamId, user_id: 'kubernetes:studio-a', source: 'internal' }]);
    expect(namespaceIdentity('studio-a')).toBe('kubernetes:studio-a');
    const members = await h.db.query(`SELECT user_id FROM team_members WHERE team_id = $1`, [teamId]);
    expect(members.rows).toEqual([{ user_id: OWNER }]);
    const identity = await h.db.query(`SELECT id, email, default_team_id FROM users WHERE id = $1`, [
      'kubernetes:studio-a',
    ]);
    expect(identity.rows).toEqual([{ id: 'kubernetes:studio-a', email: null, default_team_id: null }]);
    // The team's members see the reservation in the team's credits and the job among its jobs.
    const credits = await request(h.server)
      .get('/v1/credits')
      .set('Authorization', dev(OWNER))
      .set(TEAM_HEADER, teamId)
      .expect(200);
    expect(credits.body).toMatchObject({ balance: 50, reserved: first.body.creditsReserved });
    const personal = await request(h.server).get('/v1/credits').set('Authorization', dev(OWNER)).expect(200);
    expect(personal.body.reserved).toBe(0);
    await checkInvariants(h.db);
  });

  it('should give each namespace its own identity when two namespaces map to one team', async () => {
    const uid = randomUUID();
    await submit({ uid, teamId, namespace: 'studio-b', spec: SPEC }).expect(202);
    const { rows } = await h.db.query(`SELECT user_id FROM jobs WHERE external_ref = $1`, [uid]);
    expect(rows[0].user_id).toBe('kubernetes:studio-b');
  });

  it('should answer 404 and write nothing when the annotated team does not exist', async () => {
    const missing = randomUUID();
    const uid = randomUUID();
    const response = await submit({ uid, teamId: missing, namespace: 'ghost', spec: SPEC }).expect(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ code: 'NOT_FOUND' });
    expect(response.body.detail).toContain(`Team ${missing} does not exist`);
    expect(response.body.detail).toContain('cineweave.io/team');
    const jobs = await h.db.query(`SELECT count(*)::int AS n FROM jobs WHERE external_ref = $1`, [uid]);
    expect(jobs.rows[0].n).toBe(0);
    const users = await h.db.query(`SELECT count(*)::int AS n FROM users WHERE id = 'kubernetes:ghost'`);
    expect(users.rows[0].n).toBe(0);
  });

  it('should refuse a body that names no team, both kinds, or a team without its namespace (400 per field)', async () => {
    const neither = await submit({ uid: randomUUID(), spec: SPEC }).expect(400);
    expect(neither.body.errors).toContainEqual(
      expect.objectContaining({ field: 'teamId', message: expect.stringContaining('exactly one') }),
    );
    await submit({ uid: randomUUID(), teamId, userId: OWNER, namespace: 'x', spec: SPEC }).expect(400);
    const bare = await submit({ uid: randomUUID(), teamId, spec: SPEC }).expect(400);
    expect(bare.body.errors).toContainEqual(expect.objectContaining({ field: 'namespace' }));
    const badName = await submit({ uid: randomUUID(), teamId, namespace: 'Not_A_Namespace', spec: SPEC });
    expect(badName.status).toBe(400);
    expect(badName.body.errors).toContainEqual(expect.objectContaining({ field: 'namespace' }));
    const badTeam = await submit({ uid: randomUUID(), teamId: 'team-a', namespace: 'x', spec: SPEC });
    expect(badTeam.status).toBe(400);
    expect(badTeam.body.errors).toContainEqual(expect.objectContaining({ field: 'teamId' }));
  });

  it("should charge a legacy userId submission to that user's personal team, recorded under the user", async () => {
    const uid = randomUUID();
    await submit({ uid, userId: OWNER, spec: SPEC }).expect(202);
    const personal = await internalGet(`/internal/v1/users/${OWNER}/personal-team`).expect(200);
    expect(personal.body).toEqual({ teamId: expect.any(String), name: 'Personal' });
    expect(personal.body.teamId).not.toBe(teamId);
    const { rows } = await h.db.query(`SELECT account_id, user_id FROM jobs WHERE external_ref = $1`, [uid]);
    expect(rows).toEqual([{ account_id: personal.body.teamId, user_id: OWNER }]);
    await checkInvariants(h.db);
  });

  it('should answer 404 for the personal team of a user who never signed in', async () => {
    const response = await internalGet('/internal/v1/users/nobody-here/personal-team').expect(404);
    expect(response.body.detail).toContain('nobody-here');
    await request(h.server).get(`/internal/v1/users/${OWNER}/personal-team`).expect(401);
  });
  it("should count each namespace as one submitter against the team's per-member monthly cap", async () => {
    const capped = await createTeam(h, 'Capped', OWNER, 50);
    const price = (
      await submit({ uid: randomUUID(), teamId: capped, namespace: 'capped-a', spec: SPEC }).expect(202)
    ).body.creditsReserved as number;
    await request(h.server)
      .patch(`/v1/teams/${capped}/limits`)
      .set('Authorization', dev(OWNER))
      .send({ memberMonthlyCap: price, activeJobLimit: 10 })
      .expect(200);
    const refused = await submit({
      uid: randomUUID(),
      teamId: capped,
      namespace: 'capped-a',
      spec: SPEC,
    }).expect(402);
    expect(refused.body).toMatchObject({
      code: 'QUOTA_EXHAUSTED',
      limit: { name: 'member-monthly-cap', teamId: capped, value: price, used: price },
    });
    // Another namespace of the same team is another submitter, with a cap of its own.
    await submit({ uid: randomUUID(), teamId: capped, namespace: 'capped-b', spec: SPEC }).expect(202);
    await checkInvariants(h.db);
  });
});
