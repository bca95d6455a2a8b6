import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeamsController } from '../src/modules/teams/teams.controller.ts';
import { type Harness, dev, startHarness } from './support/harness.ts';
import { teamWithMembers } from './support/teams.ts';

/**
 * Bad input on the team routes: tokens, ids, cursors and bodies. Each must get a 4xx
 * problem+json (never a 5xx) and change nothing: the same rows in the team tables and audit log.
 */
type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
const OWNER = 'bad-owner';
const SOME_ID = '5b0c4f5e-3d1c-4a57-9f0e-0a1b2c3d4e5f';
const TOKEN = 'A'.repeat(43);

const ROUTES = (team: string): [Method, string][] => [
  ['get', '/v1/teams'],
  ['post', '/v1/teams'],
  ['get', `/v1/teams/${team}`],
  ['patch', `/v1/teams/${team}`],
  ['patch', `/v1/teams/${team}/limits`],
  ['put', '/v1/me/default-team'],
  ['get', `/v1/teams/${team}/members`],
  ['patch', `/v1/teams/${team}/members/someone`],
  ['delete', `/v1/teams/${team}/members/someone`],
  ['get', `/v1/teams/${team}/invitations`],
  ['post', `/v1/teams/${team}/invitations`],
  ['delete', `/v1/teams/${team}/invitations/${SOME_ID}`],
  ['get', `/v1/invitations/${TOKEN}`],
  ['post', `/v1/invitations/${TOKEN}/accept`],
  ['get', '/v1/admin/teams'],
  ['post', `/v1/admin/teams/${team}/credits`],
  ['put', `/v1/admin/teams/${team}/plan`],
];
const BAD_TOKENS: [string, string | null][] = [
  ['no token', null],
  ['Basic credentials', 'Basic dGFibGU6dXNlcg=='],
  ['a forged API key', 'Bearer cw_0000000000000000000000000000000000000000'],
  ['a malformed JWT', 'Bearer not.a.jwt'],
];
const BAD_IDS = ['not-a-uuid', "1' OR '1'='1", 'x'.repeat(300), '%E2%80%8B', '..%2F..%2Fetc%2Fpasswd'];
const BAD_CURSORS = [
  Buffer.from(JSON.stringify(['0000-01-01T00:00:00.000Z', SOME_ID])).toString('base64url'),
  Buffer.from(JSON.stringify({ after: 1 })).toString('base64url'),
  '%%%',
  'A'.repeat(600),
];
const BAD_BODIES: [string, unknown, string][] = [
  ['truncated JSON', '{"name": "b', ''],
  ['JSON null', 'null', ''],
  ['an unknown field', { surprise: true }, 'surprise'],
  ['a number for a name', { name: 7 }, 'name'],
  ['a name of 81 characters', { name: 'n'.repeat(81) }, 'name'],
];

describe(`${TeamsController.name}: bad input`, () => {
  let h: Harness;
  let teamId: string;

  beforeAll(async () => {
    h = await startHarness('teams_bad');
    teamId = await teamWithMembers(h, OWNER, 'Sturdy team', { member: 'bad-member' }, 100);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** What a refused request must leave as it was. */
  const snapshot = async () =>
    (
      await h.db.query(
        `SELECT (SELECT count(*) FROM team_members)::int AS members, (SELECT count(*) FROM team_invitations)::int AS invitations,
                (SELECT count(*) FROM accounts)::int AS teams, (SELECT count(*) FROM organizations)::int AS organizations,
                (SELECT count(*) FROM audit_log WHERE action <> 'admin.signed-in')::int AS audit, (SELECT sum(balance) FROM accounts)::int AS balance,
                (SELECT string_agg(name || coalesce(monthly_credit_quota::text, '-'), ',' ORDER BY id) FROM accounts) AS names`,
      )
    ).rows[0];

  const send = (method: Method, path: string, auth: string | null, body?: unknown) => {
    let call = request(h.server)[method](path);
    if (auth !== null) call = call.set('Authorization', auth);
    if (body !== undefined) {
      call = call
        .set('Content-Type', 'application/json')
        .send(typeof body === 'string' ? body : JSON.stringify(body));
    }
    return call;
  };

  const expectRefused = (answer: request.Response, status?: number) => {
    expect(answer.status, `${answer.status} ${JSON.stringify(answer.body)}`).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    if (status !== undefined) expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toMatch(/application\/problem\+json/);
  };

  it('should answer 401 to every team route without a valid sign-in', async () => {
    const before = await snapshot();
    for (const [method, path] of ROUTES(teamId)) {
      for (const [, auth] of BAD_TOKENS) expectRefused(await send(method, path, auth, {}), 401);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('should refuse a bad team, member or invitation id naming the parameter', async () => {
    const before = await snapshot();
    for (const id of BAD_IDS) {
      for (const [method, path, body] of [
        ['get', `/v1/teams/${id}`, undefined],
        ['patch', `/v1/teams/${id}`, { name: 'x' }],
        ['patch', `/v1/teams/${id}/limits`, { activeJobLimit: 3 }],
        ['get', `/v1/teams/${id}/members`, undefined],
        ['post', `/v1/teams/${id}/invitations`, {}],
        ['delete', `/v1/teams/${teamId}/invitations/${id}`, undefined],
        ['post', `/v1/admin/teams/${id}/credits`, { amount: 5, reason: 'bad id' }],
        ['put', `/v1/admin/teams/${id}/plan`, { plan: 'pro' }],
        ['get', `/v1/invitations/${id}`, undefined],
        ['post', `/v1/invitations/${id}/accept`, undefined],
      ] as [Method, string, unknown][]) {
        const auth = path.startsWith('/v1/admin') ? dev('root-admin', true) : dev(OWNER);
        expectRefused(await send(method, path, auth, body));
      }
    }
    // An id of the right shape that names no team: a 404, as for a team one is not in.
    expectRefused(await send('get', `/v1/teams/${randomUUID()}`, dev(OWNER)), 404);
    expectRefused(await send('delete', `/v1/teams/${teamId}/members/nobody`, dev(OWNER)), 404);
    expectRefused(await send('delete', `/v1/teams/${teamId}/invitations/${randomUUID()}`, dev(OWNER)), 404);
    const named = await send('get', '/v1/teams/not-a-uuid', dev(OWNER));
    expect(named.body.errors).toEqual([expect.objectContaining({ field: 'id' })]);
    expect(await snapshot()).toEqual(before);
  });

  it('should refuse bad cursors and page sizes on the admin team list', async () => {
    for (const cursor of BAD_CURSORS) {
      expectRefused(await send('get', `/v1/admin/teams?cursor=${cursor}`, dev('root-admin', true)), 400);
    }
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'unknown=1']) {
      expectRefused(await send('get', `/v1/admin/teams?${query}`, dev('root-admin', true)), 400);
    }
  });

  it('should refuse bad bodies naming the field, and change nothing', async () => {
    const before = await snapshot();
    for (const [method, path] of [
      ['post', '/v1/teams'],
      ['patch', `/v1/teams/${teamId}`],
    ] as [Method, string][]) {
      for (const [what, body, field] of BAD_BODIES) {
        const answer = await send(method, path, dev(OWNER), body);
        expectRefused(answer, 400);
        // An unknown key is named in its error (zod reports it on the object, not as a field).
        if (field)
          expect(JSON.stringify(answer.body.errors), `${method} ${path} with ${what}`).toContain(field);
      }
    }
    for (const [method, path, body, field] of [
      ['patch', `/v1/teams/${teamId}/limits`, {}, ''],
      ['patch', `/v1/teams/${teamId}/limits`, { activeJobLimit: 1.5 }, 'activeJobLimit'],
      ['patch', `/v1/teams/${teamId}/limits`, { monthlyCreditQuota: -1 }, 'monthlyCreditQuota'],
      ['patch', `/v1/teams/${teamId}/limits`, { memberMonthlyCap: '10' }, 'memberMonthlyCap'],
      ['patch', `/v1/teams/${teamId}/members/bad-member`, { role: 'root' }, 'role'],
      ['patch', `/v1/teams/${teamId}/members/bad-member`, {}, 'role'],
      ['post', `/v1/teams/${teamId}/invitations`, { email: 'not-an-address' }, 'email'],
      ['post', `/v1/teams/${teamId}/invitations`, { expiresInDays: 31 }, 'expiresInDays'],
      ['post', `/v1/teams/${teamId}/invitations`, { role: 'god' }, 'role'],
      ['put', '/v1/me/default-team', { teamId: 'mine' }, 'teamId'],
      ['put', '/v1/me/default-team', {}, 'teamId'],
      ['post', '/v1/teams', { name: 'ok', organizationId: 'acme' }, 'organizationId'],
    ] as [Method, string, unknown, string][]) {
      const answer = await send(method, path, dev(OWNER), body);
      expectRefused(answer, 400);
      if (field)
        expect(answer.body.errors, `${method} ${path}`).toContainEqual(expect.objectContaining({ field }));
    }
    for (const [path, body, field] of [
      [`/v1/admin/teams/${teamId}/credits`, { amount: 0, reason: 'zero' }, 'amount'],
      [`/v1/admin/teams/${teamId}/credits`, { amount: 1.5, reason: 'half' }, 'amount'],
      [`/v1/admin/teams/${teamId}/credits`, { amount: 5 }, 'reason'],
      [`/v1/admin/teams/${teamId}/plan`, { plan: 'gold' }, 'plan'],
    ] as [string, unknown, string][]) {
      const method: Method = path.endsWith('/plan') ? 'put' : 'post';
      const answer = await send(method, path, dev('root-admin', true), body);
      expectRefused(answer, 400);
      expect(answer.body.errors).toContainEqual(expect.objectContaining({ field }));
    }
    expect(await snapshot()).toEqual(before);
  });
});
