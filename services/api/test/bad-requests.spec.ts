import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, INTERNAL_TOKEN, checkInvariants, dev, startHarness } from './support/harness.ts';
import { png, pngBomb } from './support/images.ts';

interface BadRequest {
  name: string;
  method?: 'get' | 'post' | 'put' | 'delete';
  path?: string;
  auth?: string | null;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent raw with Content-Type application/json unless headers say otherwise. */
  body?: unknown;
  files?: { field: string; content: Buffer | (() => Promise<Buffer>); name: string }[];
  status: number;
  code?: string;
}

const USER = dev('victim');
const ok = { prompt: 'a quiet harbour at dawn', resolution: '640x352', durationSeconds: 1 };
const job = (extra: Record<string, unknown>) => ({ ...ok, ...extra });

const CASES: BadRequest[] = [
  // Malformed bodies
  { name: 'truncated JSON', body: '{"prompt": "a', status: 400, code: 'MALFORMED_JSON' },
  { name: 'trailing comma', body: '{"prompt": "a",}', status: 400, code: 'MALFORMED_JSON' },
  { name: 'single quotes', body: "{'prompt': 'a'}", status: 400, code: 'MALFORMED_JSON' },
  { name: 'JSON null', body: 'null', status: 400 },
  { name: 'JSON string', body: '"a prompt"', status: 400 },
  { name: 'JSON number', body: '42', status: 400 },
  { name: 'JSON array', body: '[{"prompt":"a"}]', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'empty object', body: {}, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'empty body with JSON type', body: '', status: 400 },
  {
    name: 'body over 64 KB',
    body: JSON.stringify({ prompt: 'x'.repeat(70_000) }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  { name: 'body of 2 MB', body: JSON.stringify({ prompt: 'a', pad: 'y'.repeat(2_000_000) }), status: 413 },
  { name: 'text/plain body', body: 'a prompt', headers: { 'Content-Type': 'text/plain' }, status: 415 },
  {
    name: 'form body',
    body: 'prompt=a',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    status: 415,
  },
  {
    name: 'latin1 charset',
    body: '{"prompt":"a"}',
    headers: { 'Content-Type': 'application/json; charset=latin1' },
    status: 415,
  },
  // Wrong types and missing fields
  { name: 'prompt missing', body: { resolution: '640x352' }, status: 400 },
  { name: 'prompt empty', body: job({ prompt: '' }), status: 400 },
  { name: 'prompt blank', body: job({ prompt: '   \n ' }), status: 400 },
  { name: 'prompt number', body: job({ prompt: 123 }), status: 400 },
  { name: 'prompt null', body: job({ prompt: null }), status: 400 },
  { name: 'prompt array', body: job({ prompt: ['a'] }), status: 400 },
  { name: 'prompt object', body: job({ prompt: { text: 'a' } }), status: 400 },
  { name: 'prompt too long', body: job({ prompt: 'p'.repeat(2001) }), status: 400 },
  { name: 'prompt NUL', body: job({ prompt: 'a\u0000b' }), status: 400 },
  { name: 'prompt BEL', body: job({ prompt: 'ring\u0007' }), status: 400 },
  { name: 'prompt ESC sequence', body: job({ prompt: '\u001b[31mred' }), status: 400 },
  { name: 'prompt DEL', body: job({ prompt: 'a\u007f' }), status: 400 },
  { name: 'negativePrompt number', body: job({ negativePrompt: 5 }), status: 400 },
  { name: 'negativePrompt control', body: job({ negativePrompt: 'x\u0001' }), status: 400 },
  { name: 'negativePrompt too long', body: job({ negativePrompt: 'n'.repeat(2001) }), status: 400 },
  // Unknown fields
  { name: 'unknown field', body: job({ colour: 'blue' }), status: 400 },
  { name: 'typo of a field', body: job({ durationSecond: 2 }), status: 400 },
  { name: '__proto__ field', body: '{"prompt":"a","__proto__":{"admin":true}}', status: 400 },
  { name: 'constructor field', body: job({ constructor: { prototype: {} } }), status: 400 },
  { name: 'accountId injection', body: job({ accountId: randomUUID() }), status: 400 },
  { name: 'creditsReserved injection', body: job({ creditsReserved: 0 }), status: 400 },
  // Out-of-range and wrong-typed numbers
  { name: 'resolution unknown', body: job({ resolution: '1920x1080' }), status: 400 },
  { name: 'resolution number', body: job({ resolution: 1280 }), status: 400 },
  { name: 'duration 0', body: job({ durationSeconds: 0 }), status: 400 },
  { name: 'duration 11', body: job({ durationSeconds: 11 }), status: 400 },
  { name: 'duration fractional', body: job({ durationSeconds: 2.5 }), status: 400 },
  { name: 'duration string', body: job({ durationSeconds: '5' }), status: 400 },
  { name: 'duration negative', body: job({ durationSeconds: -1 }), status: 400 },
  { name: 'duration huge', body: '{"prompt":"a","durationSeconds":1e308}', status: 400 },
  { name: 'fps 0', body: job({ fps: 0 }), status: 400 },
  { name: 'fps 1000', body: job({ fps: 1000 }), status: 400 },
  { name: 'steps 0', body: job({ steps: 0 }), status: 400 },
  { name: 'steps 101', body: job({ steps: 101 }), status: 400 },
  { name: 'steps fractional', body: job({ steps: 50.5 }), status: 400 },
  { name: 'guidance negative', body: job({ guidanceScale: -0.5 }), status: 400 },
  { name: 'guidance 21', body: job({ guidanceScale: 21 }), status: 400 },
  { name: 'guidance string', body: job({ guidanceScale: 'high' }), status: 400 },
  { name: 'seed negative', body: job({ seed: -1 }), status: 400 },
  { name: 'seed 2^32', body: job({ seed: 2 ** 32 }), status: 400 },
  { name: 'seed fractional', body: job({ seed: 1.5 }), status: 400 },
  { name: 'model with spaces', body: job({ model: 'Bad Model!' }), status: 400 },
  { name: 'model empty', body: job({ model: '' }), status: 400 },
  { name: 'model path traversal', body: job({ model: '../../etc/passwd' }), status: 400 },
  { name: 'imageUploadId not a uuid', body: job({ imageUploadId: 'abc' }), status: 400 },
  {
    name: 'imageUploadId not yours',
    body: job({ imageUploadId: randomUUID() }),
    status: 422,
    code: 'UNPROCESSABLE',
  },
  // Headers
  {
    name: 'Idempotency-Key too long',
    headers: { 'Idempotency-Key': 'k'.repeat(300) },
    body: ok,
    status: 400,
  },
  { name: 'Idempotency-Key with spaces', headers: { 'Idempotency-Key': 'two words' }, body: ok, status: 400 },
  // Authentication
  { name: 'no Authorization', auth: null, body: ok, status: 401, code: 'UNAUTHENTICATED' },
  { name: 'Basic auth', auth: 'Basic dXNlcjpwYXNz', body: ok, status: 401 },
  { name: 'empty dev user', auth: 'Bearer dev:', body: ok, status: 401 },
  { name: 'dev user with slash', auth: 'Bearer dev:a/b', body: ok, status: 401 },
  { name: 'unknown API key', auth: 'Bearer cw_not-a-real-key', body: ok, status: 401 },
  { name: 'dev admin suffix typo', auth: 'Bearer dev:x:root', body: ok, status: 401 },
  // Paths and query strings
  { name: 'job id not a uuid', method: 'get', path: '/v1/jobs/not-a-uuid', status: 400 },
  { name: 'unknown job', method: 'get', path: `/v1/jobs/${randomUUID()}`, status: 404 },
  { name: 'cancel unknown job', method: 'post', path: `/v1/jobs/${randomUUID()}/cancel`, status: 404 },
  { name: 'limit 0', method: 'get', path: '/v1/jobs?limit=0', status: 400 },
  { name: 'limit 1000', method: 'get', path: '/v1/jobs?limit=1000', status: 400 },
  { name: 'limit text', method: 'get', path: '/v1/jobs?limit=abc', status: 400 },
  { name: 'status filter unknown', method: 'get', path: '/v1/jobs?status=bogus', status: 400 },
  { name: 'cursor forged', method: 'get', path: '/v1/jobs?cursor=Zm9vYmFy', status: 400 },
  { name: 'query parameter unknown', method: 'get', path: '/v1/jobs?sort=asc', status: 400 },
  { name: 'ledger cursor forged', method: 'get', path: '/v1/credits/ledger?cursor=%5B%5D', status: 400 },
  { name: 'quote duration 0', method: 'get', path: '/v1/pricing/quote?durationSeconds=0', status: 400 },
  { name: 'quote resolution 1x1', method: 'get', path: '/v1/pricing/quote?resolution=1x1', status: 400 },
  { name: 'wrong method on jobs', method: 'put', path: '/v1/jobs', body: ok, status: 405 },
  { name: 'unknown route', method: 'get', path: '/v1/secrets', status: 404 },
  // API keys
  { name: 'api key without name', path: '/v1/api-keys', body: {}, status: 400 },
  { name: 'api key name too long', path: '/v1/api-keys', body: { name: 'n'.repeat(101) }, status: 400 },
  { name: 'api key name control', path: '/v1/api-keys', body: { name: 'a\u0000b' }, status: 400 },
  { name: 'revoke key not a uuid', method: 'delete', path: '/v1/api-keys/abc', status: 400 },
  { name: 'revoke unknown key', method: 'delete', path: `/v1/api-keys/${randomUUID()}`, status: 404 },
  // Admin and internal
  {
    name: 'grant as non-admin',
    path: '/v1/admin/credits/grant',
    body: { userId: 'victim', amount: 5, reason: 'gift' },
    status: 403,
  },
  {
    name: 'grant fractional',
    path: '/v1/admin/credits/grant',
    auth: dev('boss', true),
    body: { userId: 'victim', amount: 1.5, reason: 'gift' },
    status: 400,
  },
  {
    name: 'grant zero',
    path: '/v1/admin/credits/grant',
    auth: dev('boss', true),
    body: { userId: 'victim', amount: 0, reason: 'gift' },
    status: 400,
  },
  {
    name: 'grant unknown user',
    path: '/v1/admin/credits/grant',
    auth: dev('boss', true),
    body: { userId: 'nobody', amount: 5, reason: 'gift' },
    status: 404,
  },
  {
    name: 'grant overdraw',
    path: '/v1/admin/credits/grant',
    auth: dev('boss', true),
    body: { userId: 'victim', amount: -101, reason: 'claw back' },
    status: 422,
  },
  {
    name: 'internal without token',
    path: '/internal/v1/jobs',
    auth: null,
    body: { uid: 'u', userId: 'victim', spec: ok },
    status: 401,
  },
  {
    name: 'internal with user token',
    path: '/internal/v1/jobs',
    body: { uid: 'u', userId: 'victim', spec: ok },
    status: 401,
  },
  {
    name: 'internal bad spec',
    path: '/internal/v1/jobs',
    auth: `Bearer ${INTERNAL_TOKEN}`,
    body: { uid: 'u', userId: 'victim', spec: { prompt: '' } },
    status: 400,
  },
  {
    name: 'internal unknown account',
    path: '/internal/v1/jobs',
    auth: `Bearer ${INTERNAL_TOKEN}`,
    body: { uid: 'u2', userId: 'ghost', spec: ok },
    status: 404,
  },
  // Uploads
  { name: 'upload without file', path: '/v1/uploads', files: [], status: 400 },
  {
    name: 'upload as JSON',
    path: '/v1/uploads',
    body: { file: 'aGVsbG8=' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'upload as a raw PNG body',
    path: '/v1/uploads',
    body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString('latin1'),
    headers: { 'Content-Type': 'image/png' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'upload text file',
    path: '/v1/uploads',
    files: [{ field: 'file', content: Buffer.from('hello, not an image'), name: 'a.png' }],
    status: 422,
  },
  {
    name: 'upload GIF',
    path: '/v1/uploads',
    files: [
      {
        field: 'file',
        content: Buffer.from('GIF89a\u0001\u0000\u0001\u0000\u0000\u0000\u0000;'),
        name: 'a.gif',
      },
    ],
    status: 422,
  },
  {
    name: 'upload PNG magic with garbage',
    path: '/v1/uploads',
    files: [
      {
        field: 'file',
        content: Buffer.concat([
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
          Buffer.alloc(200, 7),
        ]),
        name: 'a.png',
      },
    ],
    status: 422,
  },
  {
    name: 'upload truncated PNG',
    path: '/v1/uploads',
    files: [{ field: 'file', content: async () => (await png(64, 64)).subarray(0, 60), name: 'a.png' }],
    status: 422,
  },
  {
    name: 'upload 5000x5000 image',
    path: '/v1/uploads',
    files: [{ field: 'file', content: () => png(5000, 5000), name: 'big.png' }],
    status: 422,
  },
  {
    name: 'upload bomb 100000x100000',
    path: '/v1/uploads',
    files: [{ field: 'file', content: () => pngBomb(100_000, 100_000), name: 'bomb.png' }],
    status: 422,
  },
  {
    name: 'upload bomb 4096x60000',
    path: '/v1/uploads',
    files: [{ field: 'file', content: () => pngBomb(4096, 60_000), name: 'bomb2.png' }],
    status: 422,
  },
  {
    name: 'upload over 10 MB',
    path: '/v1/uploads',
    files: [
      {
        field: 'file',
        content: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(11 * 1024 * 1024)]),
        name: 'huge.jpg',
      },
    ],
    status: 413,
  },
  {
    name: 'upload two files',
    path: '/v1/uploads',
    files: [
      { field: 'file', content: () => png(8, 8), name: 'a.png' },
      { field: 'file', content: () => png(8, 8), name: 'b.png' },
    ],
    status: 400,
  },
  {
    name: 'upload wrong field',
    path: '/v1/uploads',
    files: [{ field: 'image', content: () => png(8, 8), name: 'a.png' }],
    status: 400,
  },
];

describe('bad requests', () => {
  let h: Harness;
  let before: Record<string, number>;

  const counts = async () => {
    const tables = [
      'jobs',
      'credit_ledger',
      'uploads',
      'api_keys',
      'idempotency_keys',
      'outbox',
      'accounts',
      'users',
    ];
    const result: Record<string, number> = {};
    for (const table of tables) {
      result[table] = (await h.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
    }
    return result;
  };

  beforeAll(async () => {
    h = await startHarness('bad', { ADMIN_USER_IDS: 'boss' });
    await request(h.server).post('/v1/users/init').set('Authorization', USER).expect(200);
    await request(h.server).post('/v1/users/init').set('Authorization', dev('boss', true)).expect(200);
    before = await counts();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('should list at least 60 cases when the table is read', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CASES)('should answer $status problem+json when sent $name', async (c) => {
    const method = c.method ?? 'post';
    let call = request(h.server)[method](c.path ?? '/v1/jobs');
    const auth = c.auth === undefined ? USER : c.auth;
    if (auth) call = call.set('Authorization', auth);
    if (c.files) {
      for (const file of c.files) {
        const content = typeof file.content === 'function' ? await file.content() : file.content;
        call = call.attach(file.field, content, file.name);
      }
      if (c.files.length === 0) call = call.field('note', 'no file here');
    } else if (typeof c.body === 'string') {
      call = call.set('Content-Type', 'application/json');
    }
    for (const [name, value] of Object.entries(c.headers ?? {})) call = call.set(name, value);
    const response =
      c.body === undefined || c.files ? await call : await call.send(c.body as string | object);

    expect(response.status).toBe(c.status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      status: c.status,
      type: expect.stringMatching(/^https:\/\/cineweave\.io\/problems\//),
    });
    expect(response.body.title).toEqual(expect.any(String));
    expect(response.body.detail).toEqual(expect.any(String));
    expect(Array.isArray(response.body.errors)).toBe(true);
    if (c.code) expect(response.body.code).toBe(c.code);
  });

  it('should have changed nothing when every bad request was refused', async () => {
    expect(await counts()).toEqual(before);
    await checkInvariants(h.db);
  });

  it('should store a re-encoded image and use it for image-to-video when the upload is valid', async () => {
    const uploaded = await request(h.server)
      .post('/v1/uploads')
      .set('Authorization', USER)
      .attach('file', await png(320, 200), 'photo.png')
      .expect(201);
    expect(uploaded.body).toMatchObject({ id: expect.any(String), width: 320, height: 200 });
    const created = await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', USER)
      .send(job({ imageUploadId: uploaded.body.id }))
      .expect(202);
    expect(created.body.imageSha256).toBe(uploaded.body.sha256);
    const otherUser = await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev('someone-else'))
      .send(job({ imageUploadId: uploaded.body.id }))
      .expect(422);
    expect(otherUser.body.errors[0].field).toBe('imageUploadId');
  });
});

describe('uploads sent the wrong way', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('upload415');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('should say to send multipart with the field "file" when the image is the raw body', async () => {
    const response = await request(h.server)
      .post('/v1/uploads')
      .set('Authorization', USER)
      .set('Content-Type', 'image/png')
      .send(await png(16, 16))
      .expect(415);
    expect(response.body.detail).toContain('multipart/form-data in the field "file"');
    expect(response.body.detail).toContain('image/png');
  });
});
