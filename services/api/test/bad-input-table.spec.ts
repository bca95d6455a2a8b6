import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, INTERNAL_TOKEN, checkInvariants, dev, startHarness } from './support/harness.ts';
import { png } from './support/images.ts';
import { TrueLayerStandIn } from './support/truelayer-stand-in.ts';

/**
 * Bad input over every public route: bodies, content types, encodings, headers, tokens, ids,
 * cursors, queries, uploads, image URLs and webhooks. Every case must get a 4xx problem+json
 * (never a 5xx, never a hang) and change nothing: same row counts, same balances.
 */
interface Case {
  name: string;
  method: 'get' | 'post' | 'delete';
  path: string;
  /** undefined: a signed-in user; null: no Authorization header. */
  auth?: string | null;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent raw (as JSON unless headers say otherwise). */
  body?: unknown;
  files?: { field: string; content: () => Promise<Buffer>; name: string }[];
  /** The exact status, where the contract fixes one; otherwise any 4xx. */
  status?: number;
}

const USER = dev('table-user');
const ADMIN = dev('table-admin', true);
const INTERNAL = `Bearer ${INTERNAL_TOKEN}`;
const JOB = { prompt: 'a quiet harbour at dawn', resolution: '640x352', durationSeconds: 1 };
const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const SOME_ID = '5b0c4f5e-3d1c-4a57-9f0e-0a1b2c3d4e5f';

const USER_ROUTES: [Case['method'], string][] = [
  ['post', '/v1/users/init'],
  ['get', '/v1/me'],
  ['get', '/v1/credits'],
  ['get', '/v1/credits/ledger'],
  ['post', '/v1/uploads'],
  ['post', '/v1/jobs'],
  ['get', '/v1/jobs'],
  ['get', `/v1/jobs/${SOME_ID}`],
  ['post', `/v1/jobs/${SOME_ID}/cancel`],
  ['get', `/v1/jobs/${SOME_ID}/events`],
  ['get', `/v1/jobs/${SOME_ID}/video`],
  ['get', `/v1/jobs/${SOME_ID}/thumbnail`],
  ['post', '/v1/api-keys'],
  ['get', '/v1/api-keys'],
  ['delete', `/v1/api-keys/${SOME_ID}`],
  ['get', '/v1/billing/payments'],
  ['get', `/v1/billing/payments/${SOME_ID}`],
  ['post', '/v1/billing/checkout'],
  ['get', '/v1/admin/users'],
  ['post', '/v1/admin/credits/grant'],
  ['get', '/v1/admin/jobs'],
  ['get', '/v1/admin/stats'],
  ['get', '/v1/admin/timeseries'],
];
const INTERNAL_ROUTES: [Case['method'], string][] = [
  ['post', '/internal/v1/jobs'],
  ['get', `/internal/v1/jobs/${SOME_ID}`],
  ['post', `/internal/v1/jobs/${SOME_ID}/cancel`],
  ['get', '/internal/v1/queues/stats'],
];
const BAD_TOKENS: [string, string | null][] = [
  ['no token', null],
  ['Basic credentials', 'Basic dGFibGU6dXNlcg=='],
  ['a forged API key', 'Bearer cw_0000000000000000000000000000000000000000'],
  ['a malformed JWT', 'Bearer not.a.jwt'],
  ['an empty bearer', 'Bearer '],
];
const ID_ROUTES: [Case['method'], (id: string) => string, string | null][] = [
  ['get', (id) => `/v1/jobs/${id}`, USER],
  ['post', (id) => `/v1/jobs/${id}/cancel`, USER],
  ['get', (id) => `/v1/jobs/${id}/events`, USER],
  ['get', (id) => `/v1/jobs/${id}/video`, USER],
  ['get', (id) => `/v1/jobs/${id}/thumbnail`, USER],
  ['delete', (id) => `/v1/api-keys/${id}`, USER],
  ['get', (id) => `/v1/billing/payments/${id}`, USER],
  ['get', (id) => `/internal/v1/jobs/${id}`, INTERNAL],
  ['post', (id) => `/internal/v1/jobs/${id}/cancel`, INTERNAL],
];
const BAD_IDS = [
  'not-a-uuid',
  randomUUID(),
  "1' OR '1'='1",
  'x'.repeat(300),
  '%E2%80%8B',
  '..%2F..%2Fetc%2Fpasswd',
];
const CURSOR_ROUTES: [string, string][] = [
  ['/v1/jobs', USER],
  ['/v1/admin/jobs', ADMIN],
  ['/v1/billing/payments', USER],
  ['/v1/credits/ledger', USER],
  ['/v1/admin/users', ADMIN],
];
const BAD_CURSORS: [string, string][] = [
  ['year 0000', cursor(['0000-01-01T00:00:00.000Z', SOME_ID])],
  ['offset +23:59', cursor(['2026-01-01T00:00:00+23:59', SOME_ID])],
  ['February 30', cursor(['2026-02-30T00:00:00.000Z', SOME_ID])],
  ['a huge number', cursor('9'.repeat(40))],
  ['the wrong shape', cursor({ after: 1 })],
  ['not base64', '%%%'],
  ['a lone surrogate', Buffer.from('["\\ud800","x"]').toString('base64url')],
  ['over 512 characters', 'A'.repeat(600)],
];
const BAD_PAGES = ['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'limit=-1', 'unknown=1'];
const JSON_ROUTES: [string, string, Record<string, unknown>][] = [
  ['/v1/jobs', USER, JOB],
  ['/v1/api-keys', USER, { name: 'ci' }],
  ['/v1/admin/credits/grant', ADMIN, { userId: 'table-user', amount: 5, reason: 'table' }],
  ['/v1/billing/checkout', USER, { productId: 'pack-small' }],
  ['/internal/v1/jobs', INTERNAL, { uid: 'vj-table', userId: 'table-user', spec: JOB }],
];
const BAD_BODIES: [string, unknown, Record<string, string>?][] = [
  ['truncated JSON', '{"a": "b'],
  ['a trailing comma', '{"a": "b",}'],
  ['JSON null', 'null'],
  ['a JSON array', '[1, 2]'],
  ['a JSON number', '7'],
  ['an empty object', {}],
  ['an unknown field only', { surprise: true }],
  ['text/plain', 'hello', { 'Content-Type': 'text/plain' }],
  ['a form body', 'a=b', { 'Content-Type': 'application/x-www-form-urlencoded' }],
  ['a latin1 charset', '{"a":"b"}', { 'Content-Type': 'application/json; charset=latin1' }],
  ['a brotli encoding', '{"a":"b"}', { 'Content-Type': 'application/json', 'Content-Encoding': 'br' }],
  ['a broken gzip body', '{"a":"b"}', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }],
  ['a lone surrogate in a key', '{"\\ud800": 1}'],
  ['a 100 KB body', JSON.stringify({ pad: 'x'.repeat(100_000) })],
];
const BAD_JOBS: [string, Record<string, unknown>][] = [
  ['a lone high surrogate in the prompt', { ...JOB, prompt: 'a \ud800 harbour' }],
  ['a lone low surrogate in the negative prompt', { ...JOB, negativePrompt: 'no \udfff fog' }],
  ['a reversed surrogate pair', { ...JOB, prompt: '\udc00\ud800' }],
  ['a prompt of 10,000 characters', { ...JOB, prompt: 'x'.repeat(10_000) }],
  ['a NUL-only prompt', { ...JOB, prompt: '\u0000' }],
  ['an unknown resolution', { ...JOB, resolution: '99999x1' }],
  ['a negative duration', { ...JOB, durationSeconds: -1 }],
  ['an infinite duration (sent as null)', { ...JOB, durationSeconds: Number.POSITIVE_INFINITY }],
  ['a string seed', { ...JOB, seed: 'lucky' }],
  [
    'a seed of 2^64',
    JSON.parse(`{"prompt":"a","resolution":"640x352","durationSeconds":1,"seed":18446744073709551616}`),
  ],
  ['a fractional step count', { ...JOB, steps: 1.5 }],
  ['guidance as an array', { ...JOB, guidanceScale: [5] }],
  ['a priority of 1000', { ...JOB, priority: 1000 }],
  ['an unknown model', { ...JOB, model: '../../etc/passwd' }],
  ['an image upload id that is not a uuid', { ...JOB, imageUploadId: 'x' }],
  ['an image upload that does not exist', { ...JOB, imageUploadId: SOME_ID }],
  ['a prototype-polluting key', JSON.parse('{"__proto__": {"admin": true}, "prompt": "a"}')],
];
const BAD_IMAGE_URLS = [
  'http://127.0.0.1/a.png',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]/a.png',
  'http://[::ffff:a9fe:a9fe]/a.png',
  'http://[64:ff9b::a9fe:a9fe]/a.png',
  'http://[::a9fe:a9fe]/a.png',
  'http://[::ffff:0:7f00:1]/a.png',
  'http://[2002:a9fe:a9fe::1]/a.png',
  'http://[fd00::1]/a.png',
  'http://0x7f000001/a.png',
  'http://2130706433/a.png',
  'http://localhost/a.png',
  'ftp://example.com/a.png',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'data:image/png;base64,iVBORw0KGgo=',
  'not a url',
  'http://',
];
const BAD_IDEMPOTENCY_KEYS = ['', ' ', 'k'.repeat(256), 'has space', 'tab\tkey'];

function buildCases(): Case[] {
  const cases: Case[] = [];
  for (const [method, path] of USER_ROUTES) {
    for (const [what, auth] of BAD_TOKENS) {
      cases.push({ name: `${method} ${path} with ${what}`, method, path, auth, status: 401 });
    }
    cases.push({
      name: `${method} ${path} with the internal token`,
      method,
      path,
      auth: INTERNAL,
      status: 401,
    });
  }
  for (const [method, path] of INTERNAL_ROUTES) {
    for (const [what, auth] of [...BAD_TOKENS, ['a user token', USER] as [string, string]]) {
      cases.push({ name: `${method} ${path} with ${what}`, method, path, auth, status: 401 });
    }
  }
  for (const [method, path] of USER_ROUTES.filter(([, p]) => p.startsWith('/v1/admin'))) {
    cases.push({ name: `${method} ${path} as a non-admin`, method, path, auth: USER, status: 403 });
  }
  for (const [method, path, auth] of ID_ROUTES) {
    for (const id of BAD_IDS) {
      cases.push({
        name: `${method} ${path(':id')} with id ${id.slice(0, 40)}`,
        method,
        path: path(id),
        auth,
      });
    }
  }
  for (const [path, auth] of CURSOR_ROUTES) {
    // The admin user list pages by user id: any short string is a cursor it could have issued.
    for (const [what, value] of BAD_CURSORS.filter(
      ([w]) => path !== '/v1/admin/users' || w !== 'a huge number',
    )) {
      cases.push({
        name: `${path} with a cursor of ${what}`,
        method: 'get',
        path: `${path}?cursor=${value}`,
        auth,
        status: 400,
      });
    }
    for (const query of BAD_PAGES) {
      cases.push({ name: `${path}?${query}`, method: 'get', path: `${path}?${query}`, auth, status: 400 });
    }
  }
  for (const query of ['status=bogus', 'status=', 'status[]=queued']) {
    cases.push({ name: `/v1/jobs?${query}`, method: 'get', path: `/v1/jobs?${query}`, status: 400 });
  }
  for (const query of [
    'resolution=abc&durationSeconds=1',
    'resolution=640x352&durationSeconds=-1',
    'resolution=640x352&durationSeconds=abc',
    'resolution=640x352&durationSeconds=1e9',
  ]) {
    cases.push({
      name: `/v1/pricing/quote?${query}`,
      method: 'get',
      path: `/v1/pricing/quote?${query}`,
      auth: null,
      status: 400,
    });
  }
  cases.push({
    name: 'video link with download=2',
    method: 'get',
    path: `/v1/jobs/${SOME_ID}/video?download=2`,
    status: 400,
  });
  for (const [path, auth] of JSON_ROUTES) {
    for (const [what, body, headers] of BAD_BODIES) {
      cases.push({
        name: `POST ${path} with ${what}`,
        method: 'post',
        path,
        auth,
        body,
        ...(headers ? { headers } : {}),
      });
    }
  }
  for (const [what, body] of BAD_JOBS) {
    cases.push({ name: `POST /v1/jobs with ${what}`, method: 'post', path: '/v1/jobs', body });
    cases.push({
      name: `POST /internal/v1/jobs with ${what}`,
      method: 'post',
      path: '/internal/v1/jobs',
      auth: INTERNAL,
      body: { uid: `vj-${what}`, userId: 'table-user', spec: body },
    });
  }
  for (const url of BAD_IMAGE_URLS) {
    cases.push({
      name: `a VideoJob image URL ${url}`,
      method: 'post',
      path: '/internal/v1/jobs',
      auth: INTERNAL,
      body: { uid: `vj-url-${url}`, userId: 'table-user', spec: { ...JOB, image: { url } } },
    });
  }
  for (const key of BAD_IDEMPOTENCY_KEYS) {
    cases.push({
      name: `an Idempotency-Key of ${JSON.stringify(key.slice(0, 20))}`,
      method: 'post',
      path: '/v1/jobs',
      headers: { 'Idempotency-Key': key },
      body: JOB,
      status: 400,
    });
  }
  for (const [what, body, headers] of [
    ['no signature', { type: 'payment_settled', payment_id: SOME_ID }, {}],
    [
      'a forged signature',
      { type: 'payment_settled', payment_id: SOME_ID },
      { 'Tl-Signature': 'eyJhbGciOiJFUzUxMiJ9..AAAA' },
    ],
    ['a garbage signature', { type: 'payment_settled' }, { 'Tl-Signature': 'garbage' }],
    ['malformed JSON', '{"type":', { 'Tl-Signature': 'x..y' }],
    ['a text body', 'payment_settled', { 'Content-Type': 'text/plain', 'Tl-Signature': 'x..y' }],
    ['an empty object', {}, { 'Tl-Signature': 'x..y' }],
    ['a lone surrogate', '{"type":"\\ud800"}', { 'Tl-Signature': 'x..y' }],
  ] as [string, unknown, Record<string, string>][]) {
    cases.push({
      name: `a TrueLayer webhook with ${what}`,
      method: 'post',
      path: '/v1/webhooks/truelayer',
      auth: null,
      body,
      headers,
    });
  }
  const upload = (what: string, content: () => Promise<Buffer>, name = 'a.png', field = 'file'): Case => ({
    name: `an upload of ${what}`,
    method: 'post',
    path: '/v1/uploads',
    files: [{ field, content, name }],
  });
  cases.push(
    upload('text', async () => Buffer.from('not an image')),
    upload('an empty file', async () => Buffer.alloc(0)),
    upload('a truncated PNG', async () => (await png(32, 32)).subarray(0, 40)),
    upload('an SVG', async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'a.svg'),
    upload('a PNG in the wrong field', () => png(8, 8), 'a.png', 'image'),
    upload(
      'a file named with a surrogate-free path traversal',
      async () => Buffer.from('x'),
      '../../etc/passwd',
    ),
  );
  cases.push({
    name: 'an upload with multipart but no boundary',
    method: 'post',
    path: '/v1/uploads',
    headers: { 'Content-Type': 'multipart/form-data' },
    body: 'x',
  });
  for (const [method, path] of [
    ['delete', '/v1/jobs'],
    ['post', '/v1/credits'],
    ['get', '/v1/nowhere'],
    ['get', '/internal/v1/nowhere'],
  ] as [Case['method'], string][]) {
    cases.push({ name: `${method} ${path} (no such route or method)`, method, path });
  }
  return cases;
}

const CASES = buildCases();

describe('bad input over every public route', () => {
  let h: Harness;
  let tl: TrueLayerStandIn;
  let before: unknown;

  const state = async () => {
    const result: Record<string, unknown> = {};
    for (const table of [
      'jobs',
      'credit_ledger',
      'uploads',
      'api_keys',
      'idempotency_keys',
      'outbox',
      'accounts',
      'users',
      'payments',
    ]) {
      result[table] = (await h.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
    }
    result.balances = (
      await h.db.query(
        `SELECT coalesce(sum(balance), 0)::int AS balance, coalesce(sum(reserved), 0)::int AS reserved FROM accounts`,
      )
    ).rows[0];
    return result;
  };

  beforeAll(async () => {
    tl = await TrueLayerStandIn.start();
    h = await startHarness('bad_input', {
      ...tl.env(),
      IMAGE_FETCH_ALLOW_PRIVATE: 'false',
      IMAGE_FETCH_TIMEOUT_MS: '2000',
    });
    for (const auth of [USER, ADMIN]) {
      await request(h.server).post('/v1/users/init').set('Authorization', auth).expect(200);
    }
    before = await state();
  });
  afterAll(async () => {
    await h?.close();
    await tl?.close();
  });

  it('should hold at least 200 cases', () => {
    console.info(`bad-input table: ${CASES.length} cases`);
    expect(CASES.length).toBeGreaterThanOrEqual(200);
  });

  it.each(CASES)('should answer 4xx problem+json to $name', async (c) => {
    let call = request(h.server)[c.method](c.path).timeout(10_000);
    const auth = c.auth === undefined ? USER : c.auth;
    if (auth) call = call.set('Authorization', auth);
    if (c.files) {
      for (const file of c.files) call = call.attach(file.field, await file.content(), file.name);
    } else if (typeof c.body === 'string' && !c.headers?.['Content-Type']) {
      call = call.set('Content-Type', 'application/json');
    }
    for (const [name, value] of Object.entries(c.headers ?? {})) call = call.set(name, value);
    const response =
      c.body === undefined || c.files ? await call : await call.send(c.body as string | object);

    expect(response.status, JSON.stringify(response.body)).toBeGreaterThanOrEqual(400);
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
    if (c.status) expect(response.status).toBe(c.status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: response.status, title: expect.any(String) });
  });

  it('should have changed no row and no balance', async () => {
    expect(await state()).toEqual(before);
    await checkInvariants(h.db);
  });
});
