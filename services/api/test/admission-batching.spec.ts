// Group admission: under load, admissions of different accounts share one statement and one
// commit (AdmissionBatcher). Each must still be checked against its own account alone, and one
// bad request must not take its batch down with it.
import sharp from 'sharp';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetentionService } from '../src/modules/retention/retention.service.ts';
import { type Harness, checkInvariants, dev, startHarness } from './support/harness.ts';

/** 1280x704 for 1 s: 10 credits, so the free grant of 100 covers exactly 10 jobs per account. */
const TEN_CREDITS = { prompt: 'a kite over the dunes', resolution: '1280x704', durationSeconds: 1 };

describe('group admission', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('batch', { MAX_ACTIVE_JOBS_PER_USER: '1000', DB_POOL_SIZE: '20' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const users = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const init = (user: string) =>
    request(h.server).post('/v1/users/init').set('Authorization', dev(user)).expect(200);
  const batchSizes = async () => {
    const metrics = (await request(h.server).get('/metrics').expect(200)).text;
    const count = (le: string) =>
      Number(
        new RegExp(`cineweave_admission_batch_size_bucket\\{le="${le}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0,
      );
    return { alone: count('1'), all: count('\\+Inf') };
  };

  it('should admit each account up to its own credits when many accounts submit at once', async () => {
    const racers = users('racer', 8);
    await Promise.all(racers.map(init));
    const before = await batchSizes();
    // 15 requests per account, interleaved: 10 fit each account's 100 credits.
    const answers = await Promise.all(
      Array.from({ length: 15 }, () => racers).flatMap((round) =>
        round.map(async (user) => ({
          user,
          status: (await request(h.server).post('/v1/jobs').set('Authorization', dev(user)).send(TEN_CREDITS))
            .status,
        })),
      ),
    );
    for (const user of racers) {
      const mine = answers.filter((answer) => answer.user === user).map((answer) => answer.status);
      expect(mine.filter((status) => status === 202)).toHaveLength(10);
      expect(mine.filter((status) => status === 402)).toHaveLength(5);
      const credits = await request(h.server).get('/v1/credits').set('Authorization', dev(user)).expect(200);
      expect(credits.body).toMatchObject({ balance: 100, reserved: 100, available: 0 });
    }
    await checkInvariants(h.db);
    // Some statements carried several admissions: the batching path ran, not only the lone one.
    const after = await batchSizes();
    const statements = after.all - before.all;
    expect(statements).toBeLessThan(120);
    expect(statements - (after.alone - before.alone)).toBeGreaterThan(0);
    await h.jobsQueue.drain(true);
  });

  it('should refuse only the bad request of a batch and admit the others', async () => {
    const good = users('calm', 10);
    await Promise.all([...good, 'careless'].map(init));
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const upload = (
      await request(h.server)
        .post('/v1/uploads')
        .set('Authorization', dev('careless'))
        .attach('file', png, 'input.png')
        .expect(201)
    ).body as { id: string };
    // Retention deletes the upload: a job naming it breaks a rule inside the admission statement.
    await h.app.get(RetentionService).sweepUploads(new Date(Date.now() + 25 * 3_600_000));

    const answers = await Promise.all([
      ...good.map((user) =>
        request(h.server).post('/v1/jobs').set('Authorization', dev(user)).send(TEN_CREDITS),
      ),
      request(h.server)
        .post('/v1/jobs')
        .set('Authorization', dev('careless'))
        .send({ ...TEN_CREDITS, imageUploadId: upload.id }),
      ...good.map((user) =>
        request(h.server).post('/v1/jobs').set('Authorization', dev(user)).send(TEN_CREDITS),
      ),
    ]);
    const careless = answers[good.length];
    expect(careless.status).toBe(410);
    expect(careless.body.errors).toEqual([expect.objectContaining({ field: 'imageUploadId' })]);
    expect(answers.filter((answer) => answer !== careless).map((answer) => answer.status)).toEqual(
      Array.from({ length: good.length * 2 }, () => 202),
    );
    const carelessCredits = await request(h.server).get('/v1/credits').set('Authorization', dev('careless'));
    expect(carelessCredits.body).toMatchObject({ reserved: 0 });
    await checkInvariants(h.db);
    await h.jobsQueue.drain(true);
  });
});
