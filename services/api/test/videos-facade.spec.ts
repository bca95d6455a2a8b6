import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, checkInvariants, dev, startHarness } from './support/harness.ts';
import { png } from './support/images.ts';

const USER = dev('facade-user');
const DRAFT = { size: '352x640', seconds: 1, fps: 8 };

describe('/v1/videos façade', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('videos');
    await request(h.server).post('/v1/users/init').set('Authorization', USER).expect(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  const counts = async () =>
    (
      await h.db.query(
        `SELECT (SELECT count(*) FROM jobs)::int AS jobs, (SELECT count(*) FROM uploads)::int AS uploads,
                (SELECT count(*) FROM credit_ledger)::int AS ledger`,
      )
    ).rows[0] as Record<string, number>;

  it.each([
    { name: 'an OpenAI size', body: { prompt: 'a', size: '1280x720' }, field: 'size' },
    { name: 'seconds out of range', body: { prompt: 'a', seconds: '60' }, field: 'seconds' },
    { name: 'seconds not a number', body: { prompt: 'a', seconds: 'four' }, field: 'seconds' },
    { name: 'an unknown field', body: { prompt: 'a', style: 'noir' }, field: '' },
    { name: 'no prompt', body: { size: '352x640' }, field: 'prompt' },
    {
      name: 'two image sources',
      body: {
        prompt: 'a',
        input_reference: { image_url: 'https://example.com/a.png', file_id: crypto.randomUUID() },
      },
      field: 'input_reference',
    },
    {
      name: 'a data URL that is not an image',
      body: { prompt: 'a', input_reference: { image_url: 'data:text/plain;base64,aGVsbG8=' } },
      field: 'input_reference.image_url',
    },
    {
      name: 'an image URL on a private address',
      body: { prompt: 'a', input_reference: { image_url: 'http://10.0.0.1/a.png' } },
      field: 'input_reference.image_url',
    },
  ])('should refuse $name with a 4xx problem and change nothing', async ({ body, field }) => {
    const before = await counts();
    const response = await request(h.server).post('/v1/videos').set('Authorization', USER).send(body);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers['content-type']).toContain('application/problem+json');
    if (field) expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it.each([
    { path: '/v1/videos?order=asc', message: 'order must be desc' },
    { path: '/v1/videos?limit=0', message: 'limit' },
    { path: `/v1/videos/${crypto.randomUUID()}/content?variant=spritesheet`, message: 'no spritesheet' },
    { path: '/v1/videos/not-a-uuid', message: 'UUID' },
  ])('should answer 400 for $path', async ({ path, message }) => {
    const response = await request(h.server).get(path).set('Authorization', USER).expect(400);
    expect(response.body.detail).toContain(message);
  });

  it('should ask for credentials when none are sent', async () => {
    await request(h.server).get('/v1/videos').expect(401);
  });

  it('should take a JSON body with a data URL image and queue one job for one Idempotency-Key', async () => {
    const image = `data:image/png;base64,${(await png(64, 64)).toString('base64')}`;
    const body = { prompt: 'a tide pool', input_reference: { image_url: image }, ...DRAFT, seed: 7 };
    const first = await request(h.server)
      .post('/v1/videos')
      .set('Authorization', USER)
      .set('Idempotency-Key', 'videos-once')
      .send(body)
      .expect(200);
    expect(first.body).toMatchObject({ object: 'video', status: 'queued', size: '352x640', seconds: '1' });
    const again = await request(h.server)
      .post('/v1/videos')
      .set('Authorization', USER)
      .set('Idempotency-Key', 'videos-once')
      .send(body)
      .expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const job = await request(h.server)
      .get(`/v1/jobs/${first.body.id}`)
      .set('Authorization', USER)
      .expect(200);
    expect(job.body).toMatchObject({ seed: 7, fps: 8, imageSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const content = await request(h.server)
      .get(`/v1/videos/${first.body.id}/content`)
      .set('Authorization', USER)
      .expect(409);
    expect(content.body.detail).toContain('is queued');
    await checkInvariants(h.db);
  });

  it("should not show or delete another account's video", async () => {
    const mine = await request(h.server)
      .post('/v1/videos')
      .set('Authorization', USER)
      .send({ prompt: 'b', ...DRAFT });
    const other = dev('facade-other');
    await request(h.server).get(`/v1/videos/${mine.body.id}`).set('Authorization', other).expect(404);
    await request(h.server).delete(`/v1/videos/${mine.body.id}`).set('Authorization', other).expect(404);
    const still = await request(h.server)
      .get(`/v1/videos/${mine.body.id}`)
      .set('Authorization', USER)
      .expect(200);
    expect(still.body.status).toBe('queued');
  });
});
