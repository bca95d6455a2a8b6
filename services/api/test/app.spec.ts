import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.ts';

describe('API skeleton', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('app');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('should answer /health and /ready when Postgres, Redis and S3 are up', async () => {
    await request(h.server).get('/health').expect(200, { status: 'ok' });
    const ready = await request(h.server).get('/ready').expect(200);
    expect(ready.body.checks).toEqual({ postgres: 'ok', redis: 'ok', s3: 'ok' });
  });

  it('should serve the OpenAPI document when asked for /openapi.json', async () => {
    const response = await request(h.server).get('/openapi.json').expect(200);
    expect(response.body.openapi).toMatch(/^3\./);
    expect(Object.keys(response.body.paths)).toContain('/v1/jobs');
    const createJob = response.body.paths['/v1/jobs'].post.requestBody.content['application/json'].schema;
    expect(createJob.required).toEqual(['prompt']);
    expect(createJob.additionalProperties).toBe(false);
    expect(response.body.paths['/internal/v1/jobs'].post.requestBody).toBeDefined();
  });

  it('should expose cineweave_ metrics when scraped', async () => {
    const response = await request(h.server).get('/metrics').expect(200);
    expect(response.text).toContain('cineweave_http_request_duration_seconds');
    expect(response.text).toContain('cineweave_queue_waiting_jobs');
  });

  it('should answer an unknown route with problem+json when nothing matches', async () => {
    const response = await request(h.server).get('/nope').expect(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      type: 'https://cineweave.io/problems/not-found',
    });
  });

  it('should answer a wrong method with 405 and Allow when the path exists', async () => {
    const response = await request(h.server)
      .delete('/v1/credits')
      .set('Authorization', 'Bearer dev:u1')
      .expect(405);
    expect(response.headers['allow']).toBe('GET');
    expect(response.body.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('should report the sign-in mode when the portal asks /v1/config', async () => {
    const response = await request(h.server).get('/v1/config').expect(200);
    expect(response.body).toEqual({
      authMode: 'dev',
      paymentsProvider: 'none',
      retentionHours: 24,
      formDefaults: { quality: 'hd', durationSeconds: 5, steps: 50 },
    });
  });
});
