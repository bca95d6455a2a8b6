import { TEAM_HEADER } from '@cineweave/contracts';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TeamAccess } from '../src/modules/accounts/team-access.ts';
import { type Harness, checkInvariants, dev, startHarness } from './support/harness.ts';
import { png } from './support/images.ts';
import { asMember, teamWithMembers } from './support/teams.ts';

/**
 * Every team route, and every route that acts for a team through the team header, called by
 * each role of one team and by an outsider: the exact status each must get.
 */
const ROLES = ['owner', 'admin', 'member', 'viewer', 'outsider'] as const;
type Role = (typeof ROLES)[number];
const USERS: Record<Role, string> = {
  owner: 'r-owner',
  admin: 'r-admin',
  member: 'r-member',
  viewer: 'r-viewer',
  outsider: 'r-outsider',
};
type Statuses = Record<Role, number>;

/** Any member may: read. */
const anyMember = (status = 200): Statuses => ({
  owner: status,
  admin: status,
  member: status,
  viewer: status,
  outsider: 404,
});
/** Members and above: spend the team's credits. */
const spenders = (status: number): Statuses => ({ ...anyMember(status), viewer: 403 });
/** Admins and owners: manage members, invitations, limits. */
const managers = (status: number): Statuses => ({ ...spenders(status), member: 403 });
/** Owners only: hand out or take away ownership. */
const owners = (status: number): Statuses => ({ ...managers(status), admin: 403 });

const JOB = { prompt: 'a tram crossing a bridge', resolution: '640x352', durationSeconds: 1 };

interface RouteCase {
  name: string;
  statuses: Statuses;
  /** The call `user` makes; fixtures it needs are made fresh inside, so cases never share state. */
  call: (user: string, context: { teamId: string; jobId: string }) => Promise<request.Response>;
}

describe(`${TeamAccess.name}: team roles on every team route`, () => {
  let h: Harness;
  let teamId: string;
  let jobId: string;
  let fresh = 0;

  beforeAll(async () => {
    h = await startHarness('teams_roles', { MAX_ACTIVE_JOBS_PER_USER: '1000' });
    teamId = await teamWithMembers(
      h,
      USERS.owner,
      'Role table',
      { admin: USERS.admin, member: USERS.member, viewer: USERS.viewer },
      100_000,
    );
    await request(h.server).post('/v1/users/init').set('Authorization', dev(USERS.outsider)).expect(200);
    jobId = (
      await request(h.server).post('/v1/jobs').set(asMember(USERS.owner, teamId)).send(JOB).expect(202)
    ).body.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  // Put the team back as it was: the four roles, no extra members, nobody's default changed.
  afterEach(async () => {
    await h.db.query(`DELETE FROM team_members WHERE team_id = $1 AND user_id <> ALL($2::text[])`, [
      teamId,
      [USERS.owner, USERS.admin, USERS.member, USERS.viewer],
    ]);
    for (const role of ['owner', 'admin', 'member', 'viewer'] as const) {
      await h.db.query(
        `INSERT INTO team_members (team_id, user_id, role, source) VALUES ($1, $2, $3, 'invitation')
         ON CONFLICT (team_id, user_id) DO UPDATE SET role = excluded.role`,
        [teamId, USERS[role], role],
      );
    }
    await h.db.query(`UPDATE users SET default_team_id = NULL WHERE id = ANY($1::text[])`, [
      Object.values(USERS),
    ]);
  });

  /** A member made for one case, by the owner, through the database (the case is about the call after). */
  const freshMember = async (role: string) => {
    const userId = `fresh-${++fresh}`;
    await h.db.query(`INSERT INTO users (id) VALUES ($1)`, [userId]);
    await h.db.query(
      `INSERT INTO team_members (team_id, user_id, role, source) VALUES ($1, $2, $3, 'manual')`,
      [teamId, userId, role],
    );
    return userId;
  };
  const freshInvitation = async () =>
    (
      await request(h.server)
        .post(`/v1/teams/${teamId}/invitations`)
        .set('Authorization', dev(USERS.owner))
        .send({ role: 'member' })
        .expect(201)
    ).body as { id: string; token: string };
  const freshJob = async () =>
    (await request(h.server).post('/v1/jobs').set(asMember(USERS.owner, teamId)).send(JOB).expect(202)).body
      .id as string;

  const CASES: RouteCase[] = [
    // The team routes: the path names the team.
    {
      name: 'GET /v1/teams/:id',
      statuses: anyMember(),
      call: (u) => request(h.server).get(`/v1/teams/${teamId}`).set('Authorization', dev(u)),
    },
    {
      name: 'PATCH /v1/teams/:id (rename)',
      statuses: managers(200),
      call: (u) =>
        request(h.server)
          .patch(`/v1/teams/${teamId}`)
          .set('Authorization', dev(u))
          .send({ name: `Renamed by ${u}` }),
    },
    {
      name: 'PATCH /v1/teams/:id/limits',
      statuses: managers(200),
      call: (u) =>
        request(h.server)
          .patch(`/v1/teams/${teamId}/limits`)
          .set('Authorization', dev(u))
          .send({ memberMonthlyCap: 50_000 }),
    },
    {
      name: 'PUT /v1/me/default-team',
      statuses: anyMember(),
      call: (u) => request(h.server).put('/v1/me/default-team').set('Authorization', dev(u)).send({ teamId }),
    },
    {
      name: 'GET /v1/teams/:id/members',
      statuses: anyMember(),
      call: (u) => request(h.server).get(`/v1/teams/${teamId}/members`).set('Authorization', dev(u)),
    },
    {
      name: 'PATCH /v1/teams/:id/members/:userId (member to viewer)',
      statuses: managers(200),
      call: async (u) =>
        request(h.server)
          .patch(`/v1/teams/${teamId}/members/${await freshMember('member')}`)
          .set('Authorization', dev(u))
          .send({ role: 'viewer' }),
    },
    {
      name: 'PATCH /v1/teams/:id/members/:userId (grant owner)',
      statuses: owners(200),
      call: async (u) =>
        request(h.server)
          .patch(`/v1/teams/${teamId}/members/${await freshMember('admin')}`)
          .set('Authorization', dev(u))
          .send({ role: 'owner' }),
    },
    {
      name: 'PATCH /v1/teams/:id/members/:userId (take owner away)',
      statuses: owners(200),
      call: async (u) =>
        request(h.server)
          .patch(`/v1/teams/${teamId}/members/${await freshMember('owner')}`)
          .set('Authorization', dev(u))
          .send({ role: 'admin' }),
    },
    {
      name: 'PATCH /v1/teams/:id/members/:userId (demote the last owner)',
      statuses: { ...owners(409) },
      call: (u) =>
        request(h.server)
          .patch(`/v1/teams/${teamId}/members/${USERS.owner}`)
          .set('Authorization', dev(u))
          .send({ role: 'admin' }),
    },
    {
      name: 'DELETE /v1/teams/:id/members/:userId (a member)',
      statuses: managers(204),
      call: async (u) =>
        request(h.server)
          .delete(`/v1/teams/${teamId}/members/${await freshMember('member')}`)
          .set('Authorization', dev(u)),
    },
    {
      name: 'DELETE /v1/teams/:id/members/:userId (an owner, not the last)',
      statuses: owners(204),
      call: async (u) =>
        request(h.server)
          .delete(`/v1/teams/${teamId}/members/${await freshMember('owner')}`)
          .set('Authorization', dev(u)),
    },
    {
      name: 'DELETE /v1/teams/:id/members/:userId (leaving: oneself)',
      // The only owner may not leave; everyone else may; an outsider is not in the team to leave it.
      statuses: { ...anyMember(204), owner: 409 },
      call: (u) => request(h.server).delete(`/v1/teams/${teamId}/members/${u}`).set('Authorization', dev(u)),
    },
    {
      name: 'GET /v1/teams/:id/invitations',
      statuses: managers(200),
      call: (u) => request(h.server).get(`/v1/teams/${teamId}/invitations`).set('Authorization', dev(u)),
    },
    {
      name: 'POST /v1/teams/:id/invitations (member)',
      statuses: managers(201),
      call: (u) =>
        request(h.server)
          .post(`/v1/teams/${teamId}/invitations`)
          .set('Authorization', dev(u))
          .send({ role: 'member' }),
    },
    {
      name: 'POST /v1/teams/:id/invitations (owner)',
      statuses: owners(201),
      call: (u) =>
        request(h.server)
          .post(`/v1/teams/${teamId}/invitations`)
          .set('Authorization', dev(u))
          .send({ role: 'owner' }),
    },
    {
      name: 'DELETE /v1/teams/:id/invitations/:invitationId',
      statuses: managers(204),
      call: async (u) =>
        request(h.server)
          .delete(`/v1/teams/${teamId}/invitations/${(await freshInvitation()).id}`)
          .set('Authorization', dev(u)),
    },
    {
      name: 'GET /v1/invitations/:token',
      // Whoever holds the link may look at it before joining.
      statuses: { ...anyMember(), outsider: 200 },
      call: async (u) =>
        request(h.server)
          .get(`/v1/invitations/${(await freshInvitation()).token}`)
          .set('Authorization', dev(u)),
    },
    {
      name: 'POST /v1/invitations/:token/accept',
      // Members already are; the link stays for the person it was meant for.
      statuses: { ...anyMember(409), outsider: 200 },
      call: async (u) =>
        request(h.server)
          .post(`/v1/invitations/${(await freshInvitation()).token}/accept`)
          .set('Authorization', dev(u)),
    },
    // Routes that act for a team through the team header.
    {
      name: 'POST /v1/jobs',
      statuses: spenders(202),
      call: (u) => request(h.server).post('/v1/jobs').set(asMember(u, teamId)).send(JOB),
    },
    {
      name: 'GET /v1/jobs',
      statuses: anyMember(),
      call: (u) => request(h.server).get('/v1/jobs').set(asMember(u, teamId)),
    },
    {
      name: 'GET /v1/jobs/:id',
      statuses: anyMember(),
      call: (u, c) => request(h.server).get(`/v1/jobs/${c.jobId}`).set(asMember(u, teamId)),
    },
    {
      name: 'POST /v1/jobs/:id/cancel',
      statuses: spenders(200),
      call: async (u) =>
        request(h.server)
          .post(`/v1/jobs/${await freshJob()}/cancel`)
          .set(asMember(u, teamId)),
    },
    {
      name: 'POST /v1/uploads',
      statuses: spenders(201),
      call: async (u) =>
        request(h.server)
          .post('/v1/uploads')
          .set(asMember(u, teamId))
          .attach('file', await png(64, 64), 'frame.png'),
    },
    {
      name: 'GET /v1/credits',
      statuses: anyMember(),
      call: (u) => request(h.server).get('/v1/credits').set(asMember(u, teamId)),
    },
    {
      name: 'GET /v1/credits/ledger',
      statuses: anyMember(),
      call: (u) => request(h.server).get('/v1/credits/ledger').set(asMember(u, teamId)),
    },
    {
      name: 'GET /v1/usage',
      statuses: anyMember(),
      call: (u) => request(h.server).get('/v1/usage').set(asMember(u, teamId)),
    },
    {
      name: 'GET /v1/videos',
      statuses: anyMember(),
      call: (u) => request(h.server).get('/v1/videos').set(asMember(u, teamId)),
    },
    {
      name: 'POST /v1/videos',
      statuses: spenders(200),
      call: (u) =>
        request(h.server)
          .post('/v1/videos')
          .set(asMember(u, teamId))
          .send({ prompt: 'a kite over dunes', size: '640x352', seconds: '1' }),
    },
    {
      name: 'GET /v1/me',
      statuses: anyMember(),
      call: (u) => request(h.server).get('/v1/me').set(asMember(u, teamId)),
    },
  ];

  describe.each(CASES)('$name', (route) => {
    it.each(ROLES)('should answer the exact status when called by the %s', async (role) => {
      const answer = await route.call(USERS[role], { teamId, jobId });
      expect({ status: answer.status, body: answer.status >= 400 ? answer.body : undefined }).toMatchObject({
        status: route.statuses[role],
      });
      if (answer.status >= 400) expect(answer.headers['content-type']).toMatch(/application\/problem\+json/);
    });
  });

  it('should tell a viewer who tries to spend what role it needs', async () => {
    const answer = await request(h.server)
      .post('/v1/jobs')
      .set(asMember(USERS.viewer, teamId))
      .send(JOB)
      .expect(403);
    expect(answer.body.detail).toMatch(/viewer; this needs member/);
  });

  it('should refuse the install-admin team routes to every team role and let an install admin in', async () => {
    const calls = (auth: string) => [
      request(h.server).get('/v1/admin/teams').set('Authorization', auth),
      request(h.server)
        .post(`/v1/admin/teams/${teamId}/credits`)
        .set('Authorization', auth)
        .send({ amount: 5, reason: 'role table' }),
      request(h.server)
        .put(`/v1/admin/teams/${teamId}/plan`)
        .set('Authorization', auth)
        .send({ plan: 'starter' }),
    ];
    for (const role of ROLES) {
      const answers = await Promise.all(calls(dev(USERS[role])));
      expect(answers.map((a) => a.status)).toEqual([403, 403, 403]);
    }
    const answers = await Promise.all(calls(dev('root-admin')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
  });

  it('should name the field of bad input on a team route', async () => {
    const badId = await request(h.server)
      .get('/v1/teams/not-a-uuid')
      .set('Authorization', dev(USERS.owner))
      .expect(400);
    expect(badId.body.errors).toEqual([expect.objectContaining({ field: 'id' })]);
    const badRole = await request(h.server)
      .patch(`/v1/teams/${teamId}/members/${USERS.member}`)
      .set('Authorization', dev(USERS.owner))
      .send({ role: 'emperor' })
      .expect(400);
    expect(badRole.body.errors).toEqual([expect.objectContaining({ field: 'role' })]);
    const badLimit = await request(h.server)
      .patch(`/v1/teams/${teamId}/limits`)
      .set('Authorization', dev(USERS.owner))
      .send({ activeJobLimit: 0 })
      .expect(400);
    expect(badLimit.body.errors).toEqual([expect.objectContaining({ field: 'activeJobLimit' })]);
    const badHeader = await request(h.server)
      .get('/v1/jobs')
      .set({ Authorization: dev(USERS.owner), [TEAM_HEADER]: 'team-one' })
      .expect(400);
    expect(badHeader.body.errors).toEqual([expect.objectContaining({ field: TEAM_HEADER })]);
    await checkInvariants(h.db);
  });
});
