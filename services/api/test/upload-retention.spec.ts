import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageService } from '../src/core/storage/storage.service.ts';
import { RetentionService } from '../src/modules/retention/retention.service.ts';
import {
  FakeGpuWorker,
  type Harness,
  INTERNAL_TOKEN,
  checkInvariants,
  dev,
  eventually,
  sleep,
  startHarness,
} from './support/harness.ts';
import { png } from './support/images.ts';

const DRAFT = { prompt: 'a lighthouse in a storm', resolution: '640x352', durationSeconds: 1 };
/** Past RETENTION_HOURS (24) for everything created by this suite. */
const LATER = () => new Date(Date.now() + 25 * 3_600_000);

describe('upload retention', () => {
  let h: Harness;
  let worker: FakeGpuWorker;
  let retention: RetentionService;

  const upload = async (user: string) =>
    (
      await request(h.server)
        .post('/v1/uploads')
        .set('Authorization', dev(user))
        .attach('file', await png(64, 48), 'input.png')
        .expect(201)
    ).body as { id: string; sha256: string };

  const createJob = (user: string, imageUploadId: string) =>
    request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev(user))
      .send({ ...DRAFT, imageUploadId });

  const uploadRow = async (id: string) =>
    (await h.db.query(`SELECT object_key, deleted_at FROM uploads WHERE id = $1`, [id])).rows[0] as {
      object_key: string;
      deleted_at: Date | null;
    };

  const objectExists = async (key: string) =>
    h.app
      .get(StorageService)
      .client.statObject('cineweave', key)
      .then(
        () => true,
        (error: { code?: string }) => {
          if (error.code === 'NotFound' || error.code === 'NoSuchKey') return false;
          throw error;
        },
      );

  const jobStatus = async (id: string) =>
    (await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [id])).rows[0].status as string;

  beforeAll(async () => {
    h = await startHarness('uplret');
    worker = new FakeGpuWorker(h);
    retention = h.app.get(RetentionService);
  });
  afterAll(async () => {
    await worker?.close();
    await h?.close();
  });

  it('should delete old uploads no unfinished job needs and keep those a queued or running job uses', async () => {
    const unused = await upload('mara');
    const finished = await upload('mara');
    const running = await upload('mara');
    const queued = await upload('mara');

    const finishedJob = (await createJob('mara', finished.id).expect(202)).body;
    const taken = await worker.take();
    expect(taken.id).toBe(finishedJob.id);
    await worker.succeed(taken);
    await eventually(async () => (await jobStatus(finishedJob.id)) === 'succeeded');

    const runningJob = (await createJob('mara', running.id).expect(202)).body;
    const runningTaken = await worker.take();
    expect(runningTaken.id).toBe(runningJob.id);
    await eventually(async () => (await jobStatus(runningJob.id)) === 'running');

    const queuedJob = (await createJob('mara', queued.id).expect(202)).body;
    await eventually(async () => (await h.jobsQueue.getJob(queuedJob.id)) !== undefined);

    // Nothing is old yet.
    expect(await retention.sweepUploads()).toEqual([]);

    const deleted = await retention.sweepUploads(LATER());
    expect(deleted.sort()).toEqual([unused.id, finished.id].sort());
    for (const id of [unused.id, finished.id]) {
      const row = await uploadRow(id);
      expect(row.deleted_at).toBeInstanceOf(Date);
      expect(await objectExists(row.object_key)).toBe(false);
    }
    for (const id of [running.id, queued.id]) {
      const row = await uploadRow(id);
      expect(row.deleted_at).toBeNull();
      expect(await objectExists(row.object_key)).toBe(true);
    }
    // The finished job keeps the record of its input.
    const record = await h.db.query(`SELECT image_upload_id, image_sha256 FROM jobs WHERE id = $1`, [
      finishedJob.id,
    ]);
    expect(record.rows[0]).toEqual({ image_upload_id: finished.id, image_sha256: finished.sha256 });

    // Once their jobs finish, the next sweep takes the other two.
    await worker.succeed(runningTaken);
    await request(h.server)
      .post(`/v1/jobs/${queuedJob.id}/cancel`)
      .set('Authorization', dev('mara'))
      .expect(200);
    await eventually(async () => (await jobStatus(runningJob.id)) === 'succeeded');
    expect((await retention.sweepUploads(LATER())).sort()).toEqual([running.id, queued.id].sort());
    expect(await retention.sweepUploads(LATER())).toEqual([]);
    await h.jobsQueue.drain(true);
    await checkInvariants(h.db);
  });

  it('should answer 410 naming imageUploadId and change nothing when a job uses a deleted upload', async () => {
    const old = await upload('nils');
    expect(await retention.sweepUploads(LATER())).toContain(old.id);
    const before = await h.db.query(
      `SELECT (SELECT count(*) FROM jobs)::int AS jobs, (SELECT count(*) FROM credit_ledger)::int AS ledger,
              (SELECT sum(reserved) FROM accounts)::int AS reserved`,
    );
    const response = await createJob('nils', old.id).expect(410);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      code: 'GONE',
      errors: [{ field: 'imageUploadId', message: expect.stringContaining('deleted') }],
    });
    const internal = await request(h.server)
      .post('/internal/v1/jobs')
      .set('Authorization', `Bearer ${INTERNAL_TOKEN}`)
      .send({ uid: 'vj-old-upload', userId: 'nils', spec: { ...DRAFT, image: { uploadId: old.id } } })
      .expect(410);
    expect(internal.body.code).toBe('GONE');
    const after = await h.db.query(
      `SELECT (SELECT count(*) FROM jobs)::int AS jobs, (SELECT count(*) FROM credit_ledger)::int AS ledger,
              (SELECT sum(reserved) FROM accounts)::int AS reserved`,
    );
    expect(after.rows[0]).toEqual(before.rows[0]);
    await checkInvariants(h.db);
  });

  it('should skip an upload while an admission holds it and delete it only once no job needs it', async () => {
    const held = await upload('olga');
    // An admission in flight holds a share lock on its upload until it commits (the trigger's).
    const admission = new pg.Client({ connectionString: h.databaseUrl });
    await admission.connect();
    try {
      await admission.query('BEGIN');
      await admission.query(`SELECT 1 FROM uploads WHERE id = $1 FOR SHARE`, [held.id]);
      expect(await retention.sweepUploads(LATER())).not.toContain(held.id);
      expect((await uploadRow(held.id)).deleted_at).toBeNull();
      await admission.query('COMMIT');
    } finally {
      await admission.end();
    }
    expect(await retention.sweepUploads(LATER())).toContain(held.id);
  });

  it('should refuse with 410 a job whose admission waited on the sweeper that deleted its upload', async () => {
    const raced = await upload('pia');
    // Play the sweeper by hand: lock the upload, let an admission pass its first check and block
    // on the lock in the job insert, then mark the upload deleted and commit.
    const sweeper = new pg.Client({ connectionString: h.databaseUrl });
    await sweeper.connect();
    try {
      await sweeper.query('BEGIN');
      await sweeper.query(`SELECT 1 FROM uploads WHERE id = $1 FOR UPDATE`, [raced.id]);
      const pending = createJob('pia', raced.id).then((response) => response);
      await eventually(async () => {
        const waiting = await h.db.query(
          // Any backend of this database waiting on a lock is the admission: nothing else runs here.
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND datname = current_database()`,
        );
        return waiting.rows[0].n > 0;
      });
      await sweeper.query(`UPDATE uploads SET deleted_at = now() WHERE id = $1`, [raced.id]);
      await sweeper.query('COMMIT');
      const response = await pending;
      expect(response.status).toBe(410);
      expect(response.body).toMatchObject({ code: 'GONE', errors: [{ field: 'imageUploadId' }] });
    } finally {
      await sweeper.end();
    }
    const jobs = await h.db.query(`SELECT count(*)::int AS n FROM jobs WHERE image_upload_id = $1`, [
      raced.id,
    ]);
    expect(jobs.rows[0].n).toBe(0);
    await sleep(50);
    await checkInvariants(h.db);
  });

  it('should keep an upload a queued job names only by its object key (an operator s3Key)', async () => {
    const shared = await upload('quinn');
    const { object_key: key } = await uploadRow(shared.id);
    await request(h.server)
      .post('/internal/v1/jobs')
      .set('Authorization', `Bearer ${INTERNAL_TOKEN}`)
      .send({ uid: 'vj-by-key', userId: 'quinn', spec: { ...DRAFT, image: { s3Key: key } } })
      .expect(202);
    expect(await retention.sweepUploads(LATER())).not.toContain(shared.id);
    expect(await objectExists(key)).toBe(true);
    await h.jobsQueue.drain(true);
  });
});
