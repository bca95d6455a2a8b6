import { TEAM_HEADER, type TeamRole } from '@cineweave/contracts';
import request from 'supertest';
import { type Harness, dev } from './harness.ts';

/**
 * A team for a test: made by `owner` through the API, granted `credits` by an install admin, and
 * filled with one person per role through real invitations.
 */
export async function teamWithMembers(
  h: Harness,
  owner: string,
  name: string,
  members: Partial<Record<Exclude<TeamRole, 'owner'>, string>> = {},
  credits = 1000,
): Promise<string> {
  const created = await request(h.server)
    .post('/v1/teams')
    .set('Authorization', dev(owner))
    .send({ name })
    .expect(201);
  const teamId = created.body.id as string;
  if (credits > 0) {
    await request(h.server)
      .post(`/v1/admin/teams/${teamId}/credits`)
      .set('Authorization', dev('root-admin'))
      .send({ amount: credits, reason: 'credits for the test team' })
      .expect(200);
  }
  for (const [role, userId] of Object.entries(members)) {
    const invitation = await request(h.server)
      .post(`/v1/teams/${teamId}/invitations`)
      .set('Authorization', dev(owner))
      .send({ role })
      .expect(201);
    await request(h.server)
      .post(`/v1/invitations/${invitation.body.token}/accept`)
      .set('Authorization', dev(userId))
      .expect(200);
  }
  return teamId;
}

/** Headers of a call by `userId` acting for `teamId`. */
export const asMember = (userId: string, teamId: string) => ({
  Authorization: dev(userId),
  [TEAM_HEADER]: teamId,
});
