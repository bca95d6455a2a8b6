import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png } from './support/images.ts';
import {
  type Harness,
  INTERNAL_TOKEN,
  checkInvariants,
  dev,
  sleep,
  startHarness,
} from './support/harness.ts';

const DRAFT = { prompt: 'a lantern on a jetty', resolution: '640x352', durationSeconds: 1 };
/** Clients that hang up while their event stream is being set up. */
const HANG_UPS = 150;

/** Tenancy of operator object keys, and event streams abandoned during set-up. */
describe('faults: tenancy and abandoned streams', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('faults_edges', { MAX_ACTIVE_JOBS_PER_USER: '1000' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const upload = async (user: string) =>
    (
      await request(h.server)
        .post('/v1/uploads')
        .set('Authorization', dev(user))
        .attach('file', await png(64, 48), 'input.png')
        .expect(201)
    ).body as { id: string };

  const objectKeyOf = async (uploadId: string) =>
    (await h.db.query(`SELECT object_key FROM uploads WHERE id = $1`, [uploadId])).rows[0]
      .object_key as string;

  const submit = (uid: string, userId: string, s3Key: string) =>
    request(h.server)
      .post('/internal/v1/jobs')
      .set('Authorization', `Bearer ${INTERNAL_TOKEN}`)
      .send({ uid, userId, spec: { ...DRAFT, image: { s3Key } } });

  it("should refuse a VideoJob whose s3Key is another account's upload or output, and change nothing", async () => {
    for (const user of ['tenant-a', 'tenant-b']) {
      await request(h.server).post('/v1/users/init').set('Authorization', dev(user)).expect(200);
    }
    const theirs = await objectKeyOf((await upload('tenant-b')).id);
    const ours = await objectKeyOf((await upload('tenant-a')).id);
    const [{ id: otherAccount }] = (await h.db.query(`SELECT id FROM accounts WHERE user_id = 'tenant-b'`))
      .rows;
    const before = (await h.db.query(`SELECT count(*)::int AS n FROM jobs`)).rows[0].n as number;

    for (const [uid, key] of [
      ['vj-foreign-upload', theirs],
      ['vj-foreign-output', `outputs/${otherAccount}/00000000-0000-4000-8000-000000000000/video.mp4`],
      ['vj-unknown-key', 'uploads/nobody/nothing.png'],
    ]) {
      const refused = await submit(uid, 'tenant-a', key).expect(422);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(refused.body)).not.toContain(key);
    }
    expect((await h.db.query(`SELECT count(*)::int AS n FROM jobs`)).rows[0].n).toBe(before);

    const own = await submit('vj-own-upload', 'tenant-a', ours).expect(202);
    const row = await h.db.query(`SELECT image_key FROM jobs WHERE id = $1`, [own.body.id]);
    expect(row.rows[0].image_key).toBe(ours);
    await checkInvariants(h.db);
  });

  it('should leave no poller behind when clients hang up while their event stream is set up', async () => {
    const created = await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev('hang-up'))
      .send(DRAFT)
      .expect(202);
    const port = (h.server.address() as AddressInfo).port;
    await Promise.all(
      Array.from(
        { length: HANG_UPS },
        () =>
          new Promise<void>((resolve) => {
            const socket = connect(port, '127.0.0.1', () => {
              socket.write(
                `GET /v1/jobs/${created.body.id}/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${dev('hang-up')}\r\n\r\n`,
              );
              // Gone before the handler has finished its set-up.
              setImmediate(() => socket.destroy());
            });
            socket.on('close', () => resolve());
            socket.on('error', () => resolve());
          }),
      ),
    );
    // Count what reaches Postgres while idle. On a loaded machine the handlers' set-up can still be
    // running after a fixed pause, so take the quietest of a few windows: set-up work fades from
    // one window to the next, a leaked poller (0.5/s each) does not.
    const commits = async () => {
      await h.db.query(`SELECT pg_stat_clear_snapshot()`);
      const r = await h.db.query(
        `SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()`,
      );
      return Number(r.rows[0].n);
    };
    const limit = HANG_UPS * 0.5 * 0.3;
    let perSecond = Number.POSITIVE_INFINITY;
    for (let window = 0; window < 8 && perSecond >= limit; window++) {
      const start = await commits();
      await sleep(2_000);
      perSecond = Math.min(perSecond, ((await commits()) - start) / 2);
    }
    console.info(`after ${HANG_UPS} hang-ups: ${perSecond.toFixed(1)} idle transactions/s`);
    // The outbox relay's sweep (every 200 ms here) is the idle load; a leaked poller each adds 0.5/s.
    expect(perSecond).toBeLessThan(limit);
  }, 60_000);
});
