import { TEAM_HEADER } from '@cineweave/contracts';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvitationsService } from '../src/modules/teams/invitations.service.ts';
import { type Harness, checkInvariants, dev, startHarness } from './support/harness.ts';
import { asMember, teamWithMembers } from './support/teams.ts';

const JOB = { prompt: 'a lighthouse in fog', resolution: '640x352', durationSeconds: 1 };

describe(InvitationsService.name, () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('teams_inv', { PORTAL_URL: 'https://portal.example.com/' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const invite = (owner: string, teamId: string, body: object = {}) =>
    request(h.server).post(`/v1/teams/${teamId}/invitations`).set('Authorization', dev(owner)).send(body);

  it('should let an invited person join, spend the team credits, and lose access when removed', async () => {
    const teamId = await teamWithMembers(h, 'inv-owner', 'Harbour crew', {}, 500);
    const created = await invite('inv-owner', teamId, { role: 'member' }).expect(201);
    expect(created.body).toMatchObject({
      role: 'member',
      email: null,
      status: 'pending',
      invitedBy: 'inv-owner',
    });
    expect(created.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.body.url).toBe(`https://portal.example.com/invite/${created.body.token}`);
    const stored = await h.db.query(`SELECT token_hash FROM team_invitations WHERE id = $1`, [
      created.body.id,
    ]);
    expect(stored.rows[0].token_hash).not.toContain(created.body.token);
    expect(stored.rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);

    const preview = await request(h.server)
      .get(`/v1/invitations/${created.body.token}`)
      .set('Authorization', dev('inv-joiner'))
      .expect(200);
    expect(preview.body).toMatchObject({
      team: { id: teamId, name: 'Harbour crew' },
      organization: { name: 'Harbour crew' },
      role: 'member',
      invitedBy: 'inv-owner',
      status: 'pending',
    });

    const accepted = await request(h.server)
      .post(`/v1/invitations/${created.body.token}/accept`)
      .set('Authorization', dev('inv-joiner'))
      .expect(200);
    expect(accepted.body).toMatchObject({ id: teamId, role: 'member', personal: false, isDefault: false });
    const membership = await h.db.query(
      `SELECT role, source FROM team_members WHERE team_id = $1 AND user_id = 'inv-joiner'`,
      [teamId],
    );
    expect(membership.rows).toEqual([{ role: 'member', source: 'invitation' }]);

    // Accepting again is harmless for the same person, a conflict for anyone else.
    await request(h.server)
      .post(`/v1/invitations/${created.body.token}/accept`)
      .set('Authorization', dev('inv-joiner'))
      .expect(200);
    const other = await request(h.server)
      .post(`/v1/invitations/${created.body.token}/accept`)
      .set('Authorization', dev('inv-latecomer'))
      .expect(409);
    expect(other.body.detail).toMatch(/already accepted/);

    const job = await request(h.server)
      .post('/v1/jobs')
      .set(asMember('inv-joiner', teamId))
      .send(JOB)
      .expect(202);
    const charged = await h.db.query(`SELECT account_id, user_id FROM jobs WHERE id = $1`, [job.body.id]);
    expect(charged.rows).toEqual([{ account_id: teamId, user_id: 'inv-joiner' }]);
    const members = await request(h.server)
      .get(`/v1/teams/${teamId}/members`)
      .set('Authorization', dev('inv-owner'))
      .expect(200);
    const joiner = members.body.items.find((m: { userId: string }) => m.userId === 'inv-joiner');
    expect(joiner).toMatchObject({ role: 'member', source: 'invitation' });
    expect(joiner.creditsThisMonth).toBeGreaterThan(0);
    const team = await request(h.server)
      .get(`/v1/teams/${teamId}`)
      .set('Authorization', dev('inv-owner'))
      .expect(200);
    expect(team.body.month.credits).toBe(joiner.creditsThisMonth);
    expect(team.body.memberCount).toBe(2);

    await request(h.server)
      .put('/v1/me/default-team')
      .set('Authorization', dev('inv-joiner'))
      .send({ teamId })
      .expect(200);
    await request(h.server)
      .delete(`/v1/teams/${teamId}/members/inv-joiner`)
      .set('Authorization', dev('inv-owner'))
      .expect(204);
    await request(h.server).get(`/v1/teams/${teamId}`).set('Authorization', dev('inv-joiner')).expect(404);
    await request(h.server).post('/v1/jobs').set(asMember('inv-joiner', teamId)).send(JOB).expect(404);
    const user = await h.db.query(`SELECT default_team_id FROM users WHERE id = 'inv-joiner'`);
    expect(user.rows[0].default_team_id).toBeNull();
    // Without a header they act for their personal team again.
    const me = await request(h.server).get('/v1/me').set('Authorization', dev('inv-joiner')).expect(200);
    expect(me.body.team).toMatchObject({ personal: true });
    await checkInvariants(h.db);
  });

  it('should let exactly one of two people accepting one link at the same moment in', async () => {
    const teamId = await teamWithMembers(h, 'race-owner', 'Race team', {}, 0);
    const { token } = (await invite('race-owner', teamId).expect(201)).body as { token: string };
    const answers = await Promise.all(
      ['race-one', 'race-two'].map((user) =>
        request(h.server).post(`/v1/invitations/${token}/accept`).set('Authorization', dev(user)),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const { rows } = await h.db.query(
      `SELECT user_id FROM team_members WHERE team_id = $1 AND source = 'invitation'`,
      [teamId],
    );
    const invitation = await h.db.query(`SELECT accepted_by FROM team_invitations WHERE team_id = $1`, [
      teamId,
    ]);
    expect(rows).toEqual([{ user_id: invitation.rows[0].accepted_by }]);
  });

  it('should refuse an invitation bound to an email address to anyone signed in with another', async () => {
    const teamId = await teamWithMembers(h, 'mail-owner', 'Mail team', {}, 0);
    const created = await invite('mail-owner', teamId, { email: 'Editor@Example.com' }).expect(201);
    // Dev sign-in carries no email; what the identity provider gave at first sign-in is stored.
    for (const [user, email] of [
      ['mail-stranger', 'someone@example.com'],
      ['mail-editor', 'editor@example.COM'],
    ]) {
      await request(h.server).post('/v1/users/init').set('Authorization', dev(user)).expect(200);
      await h.db.query(`UPDATE users SET email = $2 WHERE id = $1`, [user, email]);
    }
    const refused = await request(h.server)
      .post(`/v1/invitations/${created.body.token}/accept`)
      .set('Authorization', dev('mail-stranger'))
      .expect(403);
    expect(refused.body.detail).toContain('Editor@Example.com');
    const noEmail = await request(h.server)
      .post(`/v1/invitations/${created.body.token}/accept`)
      .set('Authorization', dev('mail-nobody'))
      .expect(403);
    expect(noEmail.body.detail).toContain('Editor@Example.com');
    await request(h.server)
      .post(`/v1/invitations/${created.body.token}/accept`)
      .set('Authorization', dev('mail-editor'))
      .expect(200);
  });

  it('should answer 410 for an expired or revoked link and 404 for one never issued', async () => {
    const teamId = await teamWithMembers(h, 'end-owner', 'Ending team', {}, 0);
    const expired = await invite('end-owner', teamId).expect(201);
    await h.db.query(`UPDATE team_invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expired.body.id,
    ]);
    const preview = await request(h.server)
      .get(`/v1/invitations/${expired.body.token}`)
      .set('Authorization', dev('end-joiner'))
      .expect(200);
    expect(preview.body.status).toBe('expired');
    const gone = await request(h.server)
      .post(`/v1/invitations/${expired.body.token}/accept`)
      .set('Authorization', dev('end-joiner'))
      .expect(410);
    expect(gone.body.detail).toMatch(/expired/);

    const revoked = await invite('end-owner', teamId).expect(201);
    await request(h.server)
      .delete(`/v1/teams/${teamId}/invitations/${revoked.body.id}`)
      .set('Authorization', dev('end-owner'))
      .expect(204);
    const list = await request(h.server)
      .get(`/v1/teams/${teamId}/invitations`)
      .set('Authorization', dev('end-owner'))
      .expect(200);
    expect(list.body.items.map((i: { status: string }) => i.status).sort()).toEqual(['expired', 'revoked']);
    const revokedAnswer = await request(h.server)
      .post(`/v1/invitations/${revoked.body.token}/accept`)
      .set('Authorization', dev('end-joiner'))
      .expect(410);
    expect(revokedAnswer.body.detail).toMatch(/revoked/);

    const unknown = 'A'.repeat(43);
    await request(h.server)
      .get(`/v1/invitations/${unknown}`)
      .set('Authorization', dev('end-joiner'))
      .expect(404);
    await request(h.server)
      .post(`/v1/invitations/${unknown}/accept`)
      .set('Authorization', dev('end-joiner'))
      .expect(404);
    const malformed = await request(h.server)
      .get('/v1/invitations/not-a-token')
      .set('Authorization', dev('end-joiner'))
      .expect(400);
    expect(malformed.body.errors[0].field).toBe('token');
    const members = await h.db.query(`SELECT count(*)::int AS n FROM team_members WHERE team_id = $1`, [
      teamId,
    ]);
    expect(members.rows[0].n).toBe(1);
  });

  it('should refuse invitations to a personal team and tell them to create a team', async () => {
    const me = await request(h.server).get('/v1/me').set('Authorization', dev('solo-person')).expect(200);
    const refused = await invite('solo-person', me.body.team.id).expect(409);
    expect(refused.body.detail).toMatch(/personal team.*POST \/v1\/teams/);
  });

  it('should let only an owner invite an owner', async () => {
    const teamId = await teamWithMembers(h, 'own-owner', 'Owners only', { admin: 'own-admin' }, 0);
    const refused = await invite('own-admin', teamId, { role: 'owner' }).expect(403);
    expect(refused.body.detail).toMatch(/Only an owner/);
    await invite('own-admin', teamId, { role: 'admin' }).expect(201);
    await invite('own-owner', teamId, { role: 'owner' }).expect(201);
  });

  it('should write an audit row in the organization for each change', async () => {
    const teamId = await teamWithMembers(h, 'audit-owner', 'Audited', { member: 'audit-member' }, 0);
    await request(h.server)
      .patch(`/v1/teams/${teamId}`)
      .set('Authorization', dev('audit-owner'))
      .send({ name: 'Audited team' })
      .expect(200);
    await request(h.server)
      .patch(`/v1/teams/${teamId}/members/audit-member`)
      .set('Authorization', dev('audit-owner'))
      .send({ role: 'viewer' })
      .expect(200);
    const limits = await request(h.server)
      .patch(`/v1/teams/${teamId}/limits`)
      .set('Authorization', dev('audit-owner'))
      .send({ monthlyCreditQuota: 900 })
      .expect(200);
    expect(limits.body.limits).toEqual({
      activeJobLimit: null,
      monthlyCreditQuota: 900,
      memberMonthlyCap: null,
    });
    await request(h.server)
      .delete(`/v1/teams/${teamId}/members/audit-member`)
      .set('Authorization', dev('audit-member'))
      .expect(204);
    const { rows } = await h.db.query(
      `SELECT l.action, l.actor_id, l.before, l.after FROM audit_log l
        JOIN accounts a ON a.organization_id = l.organization_id WHERE a.id = $1 ORDER BY l.seq`,
      [teamId],
    );
    expect(rows.map((row) => row.action)).toEqual([
      'team.created',
      'team.invitation-created',
      'team.invitation-accepted',
      'team.renamed',
      'team.member-role-changed',
      'team.limits-changed',
      'team.member-removed',
    ]);
    expect(rows[5]).toMatchObject({
      actor_id: 'audit-owner',
      before: { monthlyCreditQuota: null },
      after: { monthlyCreditQuota: 900 },
    });
    expect(rows[6]).toMatchObject({ actor_id: 'audit-member', after: { left: true } });
  });

  it('should not leak a team header to other teams: a member acting for another team is a 404', async () => {
    const teamId = await teamWithMembers(h, 'hdr-owner', 'Header team', {}, 0);
    await request(h.server)
      .get('/v1/credits')
      .set({ Authorization: dev('hdr-outsider'), [TEAM_HEADER]: teamId })
      .expect(404);
  });
});
