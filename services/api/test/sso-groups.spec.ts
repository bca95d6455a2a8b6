import { TEAM_HEADER } from '@cineweave/contracts';
import { type CryptoKey, SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.factory.ts';
import { AppConfig, ConfigError, loadConfig } from '../src/core/config/app-config.ts';
import { parseSsoTeamMappings } from '../src/core/config/sso-team-mappings.ts';
import { type Harness, checkInvariants, startHarness } from './support/harness.ts';

const now = () => Math.floor(Date.now() / 1000);

/** What the sync left: the person's memberships with role and source, by team. */
async function membershipsOf(h: Harness, userId: string) {
  const { rows } = await h.db.query<{ team_id: string; role: string; source: string }>(
    `SELECT team_id, role, source FROM team_members WHERE user_id = $1 AND source <> 'personal' ORDER BY team_id`,
    [userId],
  );
  return Object.fromEntries(rows.map((row) => [row.team_id, { role: row.role, source: row.source }]));
}

async function auditOf(h: Harness, teamId: string, userId?: string) {
  const { rows } = await h.db.query<{
    action: string;
    actor_id: string;
    actor_type: string;
    before: unknown;
    after: unknown;
  }>(
    `SELECT action, actor_type, actor_id, before, after FROM audit_log
      WHERE target_type = 'team-member' AND target_id LIKE $1 || ':%' AND ($2::text IS NULL OR target_id = $1 || ':' || $2)
      ORDER BY seq`,
    [teamId, userId ?? null],
  );
  return rows;
}

/**
 * Another API process on the suite's database and Redis, started with `mappings`: what an admin
 * does after making the teams the mappings name (their ids exist only then).
 */
async function startApiWith(h: Harness, mappings: unknown, apps: INestApplication[]): Promise<Server> {
  const parsed = parseSsoTeamMappings(JSON.stringify(mappings));
  expect(parsed.problems).toEqual([]);
  const config = new AppConfig(
    { ...h.config.env, SSO_TEAM_MAPPINGS: parsed.mappings },
    h.config.catalog,
    h.config.pricing,
  );
  const app = await createApp(config, { logs: false });
  apps.push(app);
  await app.listen(0, '127.0.0.1');
  return app.getHttpServer() as Server;
}

describe('SSO groups → team membership (OIDC)', () => {
  const issuer = 'https://idp.cineweave.test/';
  const audience = 'cineweave-api';
  let editors: string;
  let studio: string;
  let solo: string;
  let MAPPINGS: { group: string; teamId: string; role: string }[];
  let h: Harness;
  let key: CryptoKey;
  let jwks: Server;
  /** The API restarted with SSO_TEAM_MAPPINGS, as an admin does once the teams exist. */
  let server: Server;
  const apps: INestApplication[] = [];

  const token = (sub: string, claims: Record<string, unknown> = {}) =>
    new SignJWT({
      sub,
      iss: issuer,
      aud: audience,
      iat: now() - 5,
      exp: now() + 300,
      sid: randomUUID(),
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(key);
  const bearer = async (sub: string, groups: unknown = []) => `Bearer ${await token(sub, { groups })}`;
  const startWith = (mappings: unknown) => startApiWith(h, mappings, apps);
  /** One request of a fresh session carrying `groups` (none: no claim), acting for `team`; answers `status`. */
  const signIn = async (status: number, server: Server, sub: string, groups: unknown, team?: string) => {
    const call = request(server)
      .get('/v1/me')
      .set('Authorization', `Bearer ${await token(sub, groups === undefined ? {} : { groups })}`);
    return (team ? call.set(TEAM_HEADER, team) : call).expect(status);
  };

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_request, response) => {
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    h = await startHarness('sso_oidc', {
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: issuer,
      OIDC_AUDIENCE: audience,
      OIDC_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`,
      OIDC_ALGORITHMS: 'RS256',
      SSO_GROUPS_CLAIM: 'groups',
    });
    // Olga makes the teams through the team routes; then the API restarts with the mappings to them.
    const create = async (name: string) =>
      (
        await request(h.server)
          .post('/v1/teams')
          .set('Authorization', await bearer('olga@corp'))
          .send({ name })
          .expect(201)
      ).body.id as string;
    [editors, studio, solo] = [await create('Editors'), await create('Studio'), await create('Solo')];
    MAPPINGS = [
      { group: 'editors', teamId: editors, role: 'member' },
      { group: 'leads', teamId: editors, role: 'admin' },
      { group: 'studio', teamId: studio, role: 'admin' },
      { group: 'solo-owners', teamId: solo, role: 'owner' },
    ];
    server = await startWith(MAPPINGS);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await h?.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  it('should make a person a member with the mapped role at sign-in when their token has the group', async () => {
    const me = await signIn(200, server, 'ann@corp', ['editors'], editors);
    expect(me.body.team).toMatchObject({ id: editors, name: 'Editors', personal: false, role: 'member' });
    expect(await membershipsOf(h, 'ann@corp')).toEqual({ [editors]: { role: 'member', source: 'sso' } });
    expect(await auditOf(h, editors)).toEqual([
      {
        action: 'team.member-added',
        actor_type: 'system',
        actor_id: 'system:sso',
        before: null,
        after: { teamId: editors, userId: 'ann@corp', role: 'member', source: 'sso' },
      },
    ]);
    // The personal team is there too, and stays the default.
    const personal = await signIn(200, server, 'ann@corp', ['editors']);
    expect(personal.body.team).toMatchObject({ personal: true, role: 'owner' });
    await checkInvariants(h.db);
  });

  it('should take the strongest role when several groups map to one team, and follow a group change', async () => {
    await signIn(200, server, 'bo@corp', ['editors', 'leads'], editors);
    expect(await membershipsOf(h, 'bo@corp')).toEqual({ [editors]: { role: 'admin', source: 'sso' } });
    await signIn(200, server, 'bo@corp', ['editors'], editors);
    expect(await membershipsOf(h, 'bo@corp')).toEqual({ [editors]: { role: 'member', source: 'sso' } });
    const changes = (await auditOf(h, editors)).filter((row) => row.action === 'team.member-role-changed');
    expect(changes).toEqual([
      expect.objectContaining({
        actor_id: 'system:sso',
        before: { teamId: editors, userId: 'bo@corp', role: 'admin', source: 'sso' },
        after: { teamId: editors, userId: 'bo@corp', role: 'member', source: 'sso' },
      }),
    ]);
  });

  it('should ignore groups no mapping names, and read a space- or comma-separated claim', async () => {
    await signIn(200, server, 'cy@corp', ['marketing', 'everyone', 'studio'], studio);
    expect(await membershipsOf(h, 'cy@corp')).toEqual({ [studio]: { role: 'admin', source: 'sso' } });
    await signIn(200, server, 'dee@corp', 'marketing editors,studio', editors);
    expect(await membershipsOf(h, 'dee@corp')).toEqual({
      [editors]: { role: 'member', source: 'sso' },
      [studio]: { role: 'admin', source: 'sso' },
    });
    await signIn(200, server, 'eli@corp', ['marketing']);
    expect(await membershipsOf(h, 'eli@corp')).toEqual({});
  });

  it('should remove an sso membership when the group is gone, and keep an invited one with or without the group', async () => {
    // Olga invites her to Studio as a viewer: a membership the team decided on, not the provider.
    const invitation = await request(server)
      .post(`/v1/teams/${studio}/invitations`)
      .set('Authorization', await bearer('olga@corp'))
      .send({ role: 'viewer' })
      .expect(201);
    await request(server)
      .post(`/v1/invitations/${invitation.body.token}/accept`)
      .set('Authorization', await bearer('fay@corp'))
      .expect(200);
    const invited = { [studio]: { role: 'viewer', source: 'invitation' } };
    // Both groups: Editors is added, Studio stays the invited viewer, not raised to the mapped admin.
    await signIn(200, server, 'fay@corp', ['editors', 'studio'], editors);
    expect(await membershipsOf(h, 'fay@corp')).toEqual({
      ...invited,
      [editors]: { role: 'member', source: 'sso' },
    });
    // No groups: the sso membership goes, the invited one stays without its group.
    await signIn(404, server, 'fay@corp', [], editors);
    expect(await membershipsOf(h, 'fay@corp')).toEqual(invited);
    expect((await signIn(200, server, 'fay@corp', ['studio'], studio)).body.team.role).toBe('viewer');
    expect(await membershipsOf(h, 'fay@corp')).toEqual(invited);
    // A token without the claim at all has no groups: the sso memberships go, the invited one stays.
    await signIn(200, server, 'fay@corp', ['editors']);
    await signIn(200, server, 'fay@corp', undefined);
    expect(await membershipsOf(h, 'fay@corp')).toEqual(invited);
    const removed = (await auditOf(h, editors, 'fay@corp')).filter(
      (row) => row.action === 'team.member-removed',
    );
    expect(removed).toHaveLength(2);
  });

  it("should never remove or demote a team's last owner, and apply it once another owner exists", async () => {
    await signIn(200, server, 'gus@corp', ['solo-owners'], solo);
    expect(await membershipsOf(h, 'gus@corp')).toEqual({ [solo]: { role: 'owner', source: 'sso' } });
    // Olga, who made the team, leaves it: Gus is its only owner now.
    await request(server)
      .delete(`/v1/teams/${solo}/members/olga@corp`)
      .set('Authorization', await bearer('olga@corp'))
      .expect(204);
    await signIn(200, server, 'gus@corp', []);
    expect(await membershipsOf(h, 'gus@corp')).toEqual({ [solo]: { role: 'owner', source: 'sso' } });
    // Once he has made Hal an owner, his sign-in without the group takes the team away.
    const invitation = await request(server)
      .post(`/v1/teams/${solo}/invitations`)
      .set('Authorization', await bearer('gus@corp'))
      .send({ role: 'owner' })
      .expect(201);
    await request(server)
      .post(`/v1/invitations/${invitation.body.token}/accept`)
      .set('Authorization', await bearer('hal@corp'))
      .expect(200);
    await signIn(200, server, 'gus@corp', []);
    expect(await membershipsOf(h, 'gus@corp')).toEqual({});
  });

  it('should change the role of sso members when the mapping changes and the API restarts with it', async () => {
    await signIn(200, server, 'ivy@corp', ['studio'], studio);
    expect(await membershipsOf(h, 'ivy@corp')).toEqual({ [studio]: { role: 'admin', source: 'sso' } });
    const remapped = MAPPINGS.map((mapping) =>
      mapping.group === 'studio' ? { ...mapping, role: 'viewer' } : mapping,
    );
    const me = await signIn(200, await startWith(remapped), 'ivy@corp', ['studio'], studio);
    expect(me.body.team.role).toBe('viewer');
    expect(await membershipsOf(h, 'ivy@corp')).toEqual({ [studio]: { role: 'viewer', source: 'sso' } });
  });

  it('should refuse to start, naming the entry, when SSO_TEAM_MAPPINGS is not valid', () => {
    const base: Record<string, string> = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/cw',
      REDIS_URL: 'redis://127.0.0.1:6379',
      S3_ENDPOINT: 'http://127.0.0.1:4568',
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'very-secret-value',
      S3_BUCKET: 'cineweave',
      INTERNAL_TOKEN: 'internal-token-0123456789',
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: issuer,
      OIDC_AUDIENCE: audience,
      OIDC_JWKS_URL: 'https://idp.cineweave.test/jwks',
      SSO_GROUPS_CLAIM: 'groups',
    };
    const problems = (mappings: string) => {
      try {
        loadConfig({ ...base, SSO_TEAM_MAPPINGS: mappings });
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      return [];
    };
    expect(
      problems(
        JSON.stringify([
          { group: 'editors', teamId: editors, role: 'member' },
          { group: 'leads', teamId: 'not-a-team', role: 'admin' },
          { group: 'studio', teamId: studio, role: 'boss' },
          { group: 'editors', teamId: editors, role: 'viewer' },
        ]),
      ),
    ).toEqual([
      `SSO_TEAM_MAPPINGS: entry 2 ({"group":"leads","teamId":"not-a-team","role":"admin"}): teamId must be a team id (a UUID)`,
      `SSO_TEAM_MAPPINGS: entry 3 ({"group":"studio","teamId":"${studio}","role":"boss"}): role must be one of owner, admin, member, viewer`,
      `SSO_TEAM_MAPPINGS: entry 4 ({"group":"editors","teamId":"${editors}","role":"viewer"}): maps the same group to the same team as entry 1; keep one`,
    ]);
    expect(problems('{"group":"editors"}')).toEqual([
      'SSO_TEAM_MAPPINGS: must be a JSON list of {"group", "teamId", "role"}',
    ]);
    expect(problems('[{"group": "editors", ')).toEqual([
      expect.stringMatching(/^SSO_TEAM_MAPPINGS: must be a JSON list of .*\(.+\)$/),
    ]);
    expect(problems(JSON.stringify([{ group: 'x', teamId: editors, role: 'member', extra: 1 }]))).toEqual([
      expect.stringContaining('entry 1 ({"group":"x"'),
    ]);
    // Without the claim there are no groups to map.
    const { SSO_GROUPS_CLAIM: _claim, ...withoutClaim } = base;
    expect(() => loadConfig({ ...withoutClaim, SSO_TEAM_MAPPINGS: JSON.stringify(MAPPINGS) })).toThrow(
      /SSO_GROUPS_CLAIM: is required when SSO_TEAM_MAPPINGS is set/,
    );
  });
});

describe('SSO groups → team membership (Clerk organizations)', () => {
  const party = 'http://localhost:4200';
  const issuer = 'https://clerk.cineweave.test';
  let acme: string;
  let h: Harness;
  let key: CryptoKey;
  let server: Server;
  const apps: INestApplication[] = [];

  const token = (claims: Record<string, unknown>, sub = 'user_clerk7') =>
    new SignJWT({
      sub,
      azp: party,
      iss: issuer,
      iat: now() - 5,
      nbf: now() - 5,
      exp: now() + 60,
      sid: `sess_${randomUUID()}`,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(key);
  /** `GET /v1/me` acting for Acme in a fresh session whose token carries `claims`; answers `status`. */
  const me = async (status: number, claims: Record<string, unknown>) =>
    request(server)
      .get('/v1/me')
      .set('Authorization', `Bearer ${await token(claims)}`)
      .set(TEAM_HEADER, acme)
      .expect(status);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    h = await startHarness('sso_clerk', {
      AUTH_MODE: 'clerk',
      CLERK_JWT_KEY: await exportSPKI(pair.publicKey),
      CLERK_AUTHORIZED_PARTIES: party,
      CLERK_PUBLISHABLE_KEY: 'pk_test_abc',
      CLERK_ISSUER: issuer,
      SSO_GROUPS_CLAIM: 'organization',
    });
    const team = await request(h.server)
      .post('/v1/teams')
      .set('Authorization', `Bearer ${await token({ v: 2 }, 'user_clerk_owner')}`)
      .send({ name: 'Acme' })
      .expect(201);
    acme = team.body.id;
    server = await startApiWith(
      h,
      [
        { group: 'acme', teamId: acme, role: 'member' },
        { group: 'acme:admin', teamId: acme, role: 'admin' },
      ],
      apps,
    );
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await h?.close();
  });

  it("should map the active organization of v2 and v1 session tokens, with the person's organization role", async () => {
    const v2 = await me(200, { v: 2, o: { id: 'org_2acme', slg: 'acme', rol: 'admin' } });
    expect(v2.body.team).toMatchObject({ id: acme, role: 'admin' });
    const v1 = await me(200, { org_id: 'org_2acme', org_slug: 'acme', org_role: 'org:member' });
    expect(v1.body.team).toMatchObject({ id: acme, role: 'member' });
    expect(await membershipsOf(h, 'user_clerk7')).toEqual({ [acme]: { role: 'member', source: 'sso' } });
  });

  it('should remove the membership when the session has another or no active organization', async () => {
    await me(200, { v: 2, o: { id: 'org_2acme', slg: 'acme', rol: 'member' } });
    await me(404, { v: 2, o: { id: 'org_2other', slg: 'other', rol: 'admin' } });
    expect(await membershipsOf(h, 'user_clerk7')).toEqual({});
    await me(200, { v: 2, o: { id: 'org_2acme', slg: 'acme', rol: 'member' } });
    await me(404, { v: 2 });
    expect(await membershipsOf(h, 'user_clerk7')).toEqual({});
  });
});
