import { problemType } from '@cineweave/contracts';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeGpuWorker, type Harness, dev, eventually, startHarness } from './support/harness.ts';
import { png } from './support/images.ts';
import { ModerationStandIn } from '@cineweave/test-support';

const DRAFT = { prompt: 'a lantern drifting down a river', resolution: '640x352', durationSeconds: 1 };
const ADMIN = dev('root-admin');

describe('moderation before charging (stand-in classifier over HTTP)', () => {
  let h: Harness;
  let classifier: ModerationStandIn;

  const submit = (user: string, body: object) =>
    request(h.server).post('/v1/jobs').set('Authorization', dev(user)).send(body);
  const setPolicy = (policy: object) =>
    request(h.server).put('/v1/admin/moderation/policy').set('Authorization', ADMIN).send(policy).expect(200);

  /** Balances, jobs, ledger and the queue: what a refusal must leave as it was. */
  const snapshot = async () => {
    // Earlier admissions reach the queue through the outbox relay: wait until it has drained.
    await eventually(async () => (await h.db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n === 0);
    const accounts = await h.db.query(`SELECT user_id, balance, reserved FROM accounts ORDER BY user_id`);
    const jobs = await h.db.query(`SELECT count(*)::int AS n FROM jobs`);
    const ledger = await h.db.query(`SELECT count(*)::int AS n FROM credit_ledger`);
    const outbox = await h.db.query(`SELECT count(*)::int AS n FROM outbox`);
    const queue = await h.jobsQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return {
      accounts: accounts.rows,
      jobs: jobs.rows[0].n,
      ledger: ledger.rows[0].n,
      outbox: outbox.rows[0].n,
      queue,
    };
  };

  beforeAll(async () => {
    classifier = await new ModerationStandIn().start();
    h = await startHarness('moderation', {
      MODERATION_CLASSIFIER_URL: classifier.url,
      MODERATION_CLASSIFIER_TOKEN: 'classifier-secret',
      MODERATION_CLASSIFIER_MODEL: 'llama-guard-4',
      MODERATION_TIMEOUT_MS: '300',
      MODERATION_FAIL_MODE: 'closed',
      // Every admitted job straight into BullMQ, as the snapshot expects (an empty outbox): with
      // the default shallow buffer, jobs past the first would wait in the fair queue, rows kept.
      DISPATCH_BUFFER_PER_MODEL: '1000',
    });
    for (const user of ['painter', 'poet']) {
      await request(h.server).post('/v1/users/init').set('Authorization', dev(user)).expect(200);
    }
  });
  afterAll(async () => {
    await h?.close();
    await classifier?.stop();
  });
  beforeEach(async () => {
    classifier.delayMs = 0;
    classifier.flagImages = false;
    await setPolicy({ terms: [], patterns: [], failMode: null });
  });

  it('should admit a prompt the classifier allows, sending prompt and negative prompt in its shape', async () => {
    const before = classifier.calls.length;
    const answer = await submit('painter', { ...DRAFT, negativePrompt: 'blurry' }).expect(202);
    expect(answer.body.status).toBe('queued');
    const call = classifier.calls[before];
    expect(call.authorization).toBe('Bearer classifier-secret');
    expect(call.body).toEqual({
      model: 'llama-guard-4',
      input: [
        { type: 'text', text: DRAFT.prompt },
        { type: 'text', text: 'blurry' },
      ],
    });
  });

  it('should refuse a flagged prompt with 422 content-policy and leave balances, jobs and the queue unchanged', async () => {
    const before = await snapshot();
    const answer = await submit('poet', { ...DRAFT, prompt: 'a massacre in the square' }).expect(422);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(answer.body).toMatchObject({
      type: problemType('CONTENT_POLICY'),
      code: 'CONTENT_POLICY',
      categories: ['violence'],
    });
    expect(answer.body.type).toBe('https://cineweave.io/problems/content-policy');
    expect(await snapshot()).toEqual(before);

    const decisions = await request(h.server)
      .get('/v1/admin/moderation/decisions')
      .set('Authorization', ADMIN)
      .expect(200);
    expect(decisions.body.items[0]).toMatchObject({
      stage: 'input',
      outcome: 'refused',
      provider: 'classifier',
      categories: ['violence'],
      userId: 'poet',
    });
  });

  it('should refuse on the negative prompt too', async () => {
    const answer = await submit('poet', { ...DRAFT, negativePrompt: 'no massacre' }).expect(422);
    expect(answer.body.categories).toEqual(['violence']);
  });

  it("should refuse the admins' terms and patterns without asking the classifier", async () => {
    await setPolicy({ terms: ['Lantern'], patterns: ['\\bsecret\\s+base\\b'] });
    const calls = classifier.calls.length;
    const before = await snapshot();
    const byTerm = await submit('poet', DRAFT).expect(422);
    expect(byTerm.body.categories).toEqual(['term']);
    const byPattern = await submit('poet', { ...DRAFT, prompt: 'a tour of the SECRET   base' }).expect(422);
    expect(byPattern.body.categories).toEqual(['pattern']);
    // Whole words only: "lanterns" is another word.
    await submit('poet', { ...DRAFT, prompt: 'two lanterns' }).expect(202);
    expect(classifier.calls.length).toBe(calls + 1);
    const after = await snapshot();
    expect(after.jobs).toBe(before.jobs + 1);
  });

  it('should refuse a bad policy with 400 and keep the old one', async () => {
    await setPolicy({ terms: ['kept'] });
    const bad = await request(h.server)
      .put('/v1/admin/moderation/policy')
      .set('Authorization', ADMIN)
      .send({ patterns: ['(unclosed'] })
      .expect(400);
    expect(bad.body.errors[0].field).toBe('patterns.0');
    await request(h.server)
      .put('/v1/admin/moderation/policy')
      .set('Authorization', dev('poet'))
      .send({})
      .expect(403);
    const policy = await request(h.server)
      .get('/v1/admin/moderation/policy')
      .set('Authorization', ADMIN)
      .expect(200);
    expect(policy.body).toMatchObject({
      terms: ['kept'],
      effectiveFailMode: 'closed',
      classifierConfigured: true,
    });
  });

  it('should send an uploaded input image as a data URL and refuse it when flagged', async () => {
    const upload = await request(h.server)
      .post('/v1/uploads')
      .set('Authorization', dev('painter'))
      .attach('file', await png(64, 64), 'input.png')
      .expect(201);
    classifier.flagImages = true;
    const before = await snapshot();
    const calls = classifier.calls.length;
    const answer = await submit('painter', { ...DRAFT, imageUploadId: upload.body.id }).expect(422);
    expect(answer.body.categories).toEqual(['sexual']);
    expect(await snapshot()).toEqual(before);
    const parts = classifier.calls[calls].body.input as { type: string; image_url?: { url: string } }[];
    const image = parts.find((part) => part.type === 'image_url');
    expect(image?.image_url?.url).toMatch(/^data:image\/(png|webp|jpeg);base64,[A-Za-z0-9+/]+=*$/);
    classifier.flagImages = false;
    await submit('painter', { ...DRAFT, imageUploadId: upload.body.id }).expect(202);
  });

  it('should refuse (503, nothing charged) when the classifier is slower than the timeout and the mode is closed', async () => {
    classifier.delayMs = 1_000;
    const before = await snapshot();
    const answer = await submit('poet', DRAFT).expect(503);
    expect(answer.body.detail).toContain('did not answer within 300 ms');
    expect(answer.headers['retry-after']).toBe('30');
    expect(await snapshot()).toEqual(before);
    const decisions = await request(h.server)
      .get('/v1/admin/moderation/decisions')
      .set('Authorization', ADMIN);
    expect(decisions.body.items[0]).toMatchObject({ outcome: 'refused-on-error', provider: 'classifier' });
  });

  it('should admit when the classifier is slower than the timeout and the admins chose fail-open', async () => {
    classifier.delayMs = 1_000;
    await setPolicy({ failMode: 'open' });
    const answer = await submit('poet', DRAFT).expect(202);
    expect(answer.body.status).toBe('queued');
    const decisions = await request(h.server)
      .get('/v1/admin/moderation/decisions')
      .set('Authorization', ADMIN);
    expect(decisions.body.items[0]).toMatchObject({ outcome: 'allowed-on-error', userId: 'poet' });
  });

  it('should follow the fail mode when the classifier is down', async () => {
    const port = Number(new URL(classifier.url).port);
    await classifier.stop();
    try {
      const before = await snapshot();
      const closed = await submit('poet', DRAFT).expect(503);
      expect(closed.body.detail).toContain('could not be reached');
      expect(await snapshot()).toEqual(before);
      await setPolicy({ failMode: 'open' });
      await submit('poet', DRAFT).expect(202);
      // The term list still applies while the classifier is down.
      await setPolicy({ failMode: 'open', terms: ['river'] });
      await submit('poet', DRAFT).expect(422);
    } finally {
      await classifier.start(port);
    }
  });

  it("should record the worker's output refusal as a decision and release the job's credits", async () => {
    const worker = new FakeGpuWorker(h);
    try {
      await setPolicy({ failMode: 'open' });
      const jobId = (await submit('painter', DRAFT).expect(202)).body.id as string;
      let job = await worker.take();
      while (job.data.jobId !== jobId) job = await worker.take();
      const credits = async () =>
        (await request(h.server).get('/v1/credits').set('Authorization', dev('painter'))).body;
      const before = await credits();
      expect(before.reserved).toBeGreaterThan(0);
      await worker.report({
        jobId,
        attemptToken: job.data.attemptToken,
        outcome: 'failed',
        reason:
          'content-policy: the rendered video was flagged (violence); it was not delivered and nothing was charged.',
        contentPolicy: { outcome: 'refused', categories: ['violence'] },
        gpuSeconds: 12,
      });
      const failed = await eventually(async () => {
        const view = await request(h.server).get(`/v1/jobs/${jobId}`).set('Authorization', dev('painter'));
        return view.body.status === 'failed' ? view.body : undefined;
      });
      expect(JSON.stringify(failed)).toContain('content-policy:');
      const after = await credits();
      expect(after.balance).toBe(before.balance);
      expect(after.reserved).toBeLessThan(before.reserved);
      const ledger = await h.db.query(`SELECT kind FROM credit_ledger WHERE job_id = $1 ORDER BY kind`, [
        jobId,
      ]);
      expect(ledger.rows.map((row) => row.kind)).toEqual(['release', 'reserve']);
      const decisions = await request(h.server)
        .get('/v1/admin/moderation/decisions')
        .set('Authorization', ADMIN);
      expect(decisions.body.items[0]).toMatchObject({
        stage: 'output',
        outcome: 'refused',
        categories: ['violence'],
        jobId,
        userId: 'painter',
      });
      const audit = await h.db.query(`SELECT * FROM audit_log WHERE target_id = $1`, [jobId]);
      expect(audit.rows).toEqual([
        expect.objectContaining({ action: 'moderation.refused', actor_id: 'system:gpu-worker' }),
      ]);
    } finally {
      await worker.close();
    }
  });
});
