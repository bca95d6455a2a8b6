// The API's part of C2PA Content Credentials: it keeps the summary a worker reports with a
// succeeded result and returns it on the job; a result without one (signing off) leaves it null.
import { JobViewSchema, type ContentCredentialsSummary } from '@cineweave/contracts';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FakeGpuWorker,
  type Harness,
  checkInvariants,
  dev,
  eventually,
  startHarness,
} from './support/harness.ts';

const DRAFT = { prompt: 'a lighthouse at dusk', resolution: '640x352', durationSeconds: 1 };

describe('Content Credentials on jobs', () => {
  let h: Harness;
  let worker: FakeGpuWorker;

  beforeAll(async () => {
    h = await startHarness('c2pa');
    worker = new FakeGpuWorker(h);
  });
  afterAll(async () => {
    await worker?.close();
    await h?.close();
  });

  const summary = (jobId: string): ContentCredentialsSummary => ({
    manifestLabel: 'urn:c2pa:430b9a3b-1712-46c4-a35e-c5c429c8e330',
    signer: 'CineWeave test signer (untrusted)',
    issuer: 'CineWeave',
    created: '2026-12-07T04:00:00.000Z',
    generator: 'CineWeave 0.1.0',
    modelId: 'wan2.2-ti2v-5b',
    weightsHash: 'sha256:test',
    jobId,
    validation: 'valid',
    validationFailures: ['signingCredential.untrusted'],
  });

  /** Submits a job, lets the fake worker succeed it with `result(jobId)`, and returns its view. */
  const finishedJob = async (user: string, result: (jobId: string) => object) => {
    await request(h.server).post('/v1/users/init').set('Authorization', dev(user)).expect(200);
    const created = await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev(user))
      .send(DRAFT)
      .expect(202);
    const taken = await worker.take();
    expect(taken.id).toBe(created.body.id);
    await worker.succeed(taken, result(taken.data.jobId));
    return eventually(async () => {
      const job = await request(h.server).get(`/v1/jobs/${created.body.id}`).set('Authorization', dev(user));
      return job.body.status === 'succeeded'
        ? (job.body as Record<string, unknown> & { id: string })
        : undefined;
    });
  };

  it('should return the summary the worker reported when GET /v1/jobs/:id is asked for a signed video', async () => {
    const job = await finishedJob('carol', (jobId) => ({ contentCredentials: summary(jobId) }));
    expect(job['contentCredentials']).toEqual(summary(job.id));
    expect(JobViewSchema.parse(job).contentCredentials?.signer).toBe('CineWeave test signer (untrusted)');
    // The list is made of the same views.
    const list = await request(h.server).get('/v1/jobs').set('Authorization', dev('carol')).expect(200);
    expect(list.body.items[0].contentCredentials).toEqual(summary(job.id));
    await checkInvariants(h.db);
  });

  it('should return null credentials when the worker delivered without signing', async () => {
    const job = await finishedJob('dave', () => ({}));
    expect(job['contentCredentials']).toBeNull();
  });

  it('should show no credentials on a job that has not succeeded', async () => {
    await request(h.server).post('/v1/users/init').set('Authorization', dev('erin')).expect(200);
    const created = await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev('erin'))
      .send(DRAFT)
      .expect(202);
    expect(created.body.contentCredentials).toBeNull();
    await h.jobsQueue.drain(true);
  });
});
