import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageService } from '../src/core/storage/storage.service.ts';
import { type Harness, INTERNAL_TOKEN, checkInvariants, dev, startHarness } from './support/harness.ts';
import { png, pngBomb } from './support/images.ts';

const DRAFT = { prompt: 'a kite over the dunes', resolution: '640x352', durationSeconds: 1 };

/** A local web server an image URL can point at, counting what it was asked for. */
async function startImageServer(): Promise<{ server: Server; base: string; hits: string[] }> {
  const pngBytes = await png(320, 200);
  const jpegBytes = await sharp({ create: { width: 200, height: 120, channels: 3, background: '#3060a0' } })
    .jpeg()
    .toBuffer();
  const bomb = await pngBomb(100_000, 100_000);
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const send = (status: number, type: string, body: Buffer | string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    switch (req.url) {
      case '/photo.png':
        return send(200, 'image/png', pngBytes);
      case '/photo.jpg':
        // A misleading type: magic bytes decide, as for uploads.
        return send(200, 'application/octet-stream', jpegBytes);
      case '/moved':
        res.writeHead(302, { location: '/photo.png' });
        return res.end();
      case '/page.html':
        return send(200, 'text/html', '<html><body>not an image</body></html>');
      case '/bomb.png':
        return send(200, 'image/png', bomb);
      case '/huge.png': {
        // 11 MB with no Content-Length: only counting the stream can stop it.
        res.writeHead(200, { 'content-type': 'image/png' });
        const chunk = Buffer.alloc(256 * 1024, 0x42);
        let sent = 0;
        const pump = () => {
          while (sent < 11 * 1024 * 1024 && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      default:
        return send(404, 'text/plain', 'not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

const stopServer = async (server: Server | undefined) => {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
};

describe('VideoJob image.url (private addresses allowed, as in tests and the local stack)', () => {
  let h: Harness;
  let images: Awaited<ReturnType<typeof startImageServer>>;

  const submit = (uid: string, url: string, userId = 'kite-flyer') =>
    request(h.server)
      .post('/internal/v1/jobs')
      .set('Authorization', `Bearer ${INTERNAL_TOKEN}`)
      .send({ uid, userId, spec: { ...DRAFT, image: { url } } });

  const counts = async () => {
    const result: Record<string, number> = {};
    // Not the outbox: the relay empties it on its own schedule.
    for (const table of ['jobs', 'credit_ledger', 'uploads']) {
      result[table] = (await h.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
    }
    const account = await h.db.query(
      `SELECT balance, reserved FROM accounts a JOIN users u ON u.id = a.user_id WHERE u.id = 'kite-flyer'`,
    );
    return { ...result, ...account.rows[0] };
  };

  beforeAll(async () => {
    images = await startImageServer();
    h = await startHarness('imgurl', { IMAGE_FETCH_ALLOW_PRIVATE: 'true', IMAGE_FETCH_TIMEOUT_MS: '5000' });
    await request(h.server).post('/v1/users/init').set('Authorization', dev('kite-flyer')).expect(200);
  });
  afterAll(async () => {
    await h?.close();
    await stopServer(images?.server);
  });

  it('should download a PNG, store it as an upload of the account and admit the job with it', async () => {
    const created = await submit('vj-png', `${images.base}/photo.png`).expect(202);
    const job = (await h.db.query(`SELECT * FROM jobs WHERE id = $1`, [created.body.id])).rows[0];
    const upload = (await h.db.query(`SELECT * FROM uploads WHERE id = $1`, [job.image_upload_id])).rows[0];
    const account = (await h.db.query(`SELECT id FROM accounts WHERE user_id = 'kite-flyer'`)).rows[0];
    expect(upload).toMatchObject({
      account_id: account.id,
      content_type: 'image/png',
      width: 320,
      height: 200,
      source_url: `${images.base}/photo.png`,
      deleted_at: null,
    });
    expect(job.image_key).toBe(upload.object_key);
    expect(job.image_sha256).toBe(upload.sha256);
    expect(created.body.imageSha256).toBe(upload.sha256);
    // The re-encoded image really is in the bucket, where the worker will read it.
    const stat = await h.app.get(StorageService).client.statObject('cineweave', upload.object_key);
    expect(stat.size).toBe(upload.size_bytes);
    expect(await waitForQueued(h, created.body.id)).toBe(upload.object_key);
    await checkInvariants(h.db);
  });

  it('should not download again when the same uid is submitted twice', async () => {
    const before = images.hits.filter((path) => path === '/photo.png').length;
    const again = await submit('vj-png', `${images.base}/photo.png`).expect(200);
    const first = await h.db.query(`SELECT id FROM jobs WHERE external_ref = 'vj-png'`);
    expect(again.body.id).toBe(first.rows[0].id);
    expect(images.hits.filter((path) => path === '/photo.png')).toHaveLength(before);
    expect((await h.db.query(`SELECT count(*)::int AS n FROM uploads`)).rows[0].n).toBe(1);
  });

  it('should accept a JPEG by its magic bytes and store it re-encoded as PNG', async () => {
    const created = await submit('vj-jpeg', `${images.base}/photo.jpg`).expect(202);
    const upload = (
      await h.db.query(`SELECT u.* FROM uploads u JOIN jobs j ON j.image_upload_id = u.id WHERE j.id = $1`, [
        created.body.id,
      ])
    ).rows[0];
    expect(upload).toMatchObject({ content_type: 'image/png', width: 200, height: 120 });
  });

  it('should follow a redirect to the image', async () => {
    await submit('vj-moved', `${images.base}/moved`).expect(202);
  });

  it.each([
    { name: 'a 404', path: '/missing.png', says: /HTTP 404/ },
    { name: 'a body over 10 MB', path: '/huge.png', says: /larger than 10 MB/ },
    { name: 'an HTML page', path: '/page.html', says: /not a PNG, JPEG or WebP/ },
    { name: 'a decompression bomb', path: '/bomb.png', says: /100000x100000|could not be read/ },
  ])('should answer 422 naming spec.image.url and change nothing when the URL serves $name', async (c) => {
    const before = await counts();
    const response = await submit(`vj-bad-${c.path}`, `${images.base}${c.path}`).expect(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.detail).toMatch(/spec\.image\.url/);
    expect(response.body.detail).toMatch(c.says);
    expect(response.body.errors).toEqual([
      { field: 'spec.image.url', message: expect.stringMatching(c.says) },
    ]);
    expect(await counts()).toEqual(before);
  });

  it('should answer 422 and change nothing when nothing listens at the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const before = await counts();
    const response = await submit('vj-unreachable', `http://127.0.0.1:${port}/photo.png`).expect(422);
    expect(response.body.errors[0]).toEqual({
      field: 'spec.image.url',
      message: expect.stringContaining('could not be reached'),
    });
    expect(await counts()).toEqual(before);
  });

  it('should answer 404 without downloading when the user has no account', async () => {
    const before = images.hits.length;
    await submit('vj-ghost', `${images.base}/photo.png`, 'nobody-here').expect(404);
    expect(images.hits).toHaveLength(before);
  });

  it('should remove the downloaded upload again when admission refuses the job', async () => {
    await request(h.server).post('/v1/users/init').set('Authorization', dev('broke')).expect(200);
    await h.db.query(`UPDATE accounts SET reserved = balance WHERE user_id = 'broke'`);
    const uploadsBefore = (await h.db.query(`SELECT count(*)::int AS n FROM uploads`)).rows[0].n;
    try {
      await submit('vj-broke', `${images.base}/photo.png`, 'broke').expect(402);
      expect((await h.db.query(`SELECT count(*)::int AS n FROM uploads`)).rows[0].n).toBe(uploadsBefore);
      const objects = await listObjects(h, 'uploads/');
      const live = (await h.db.query(`SELECT object_key FROM uploads`)).rows.map((row) => row.object_key);
      expect(objects.sort()).toEqual(live.sort());
    } finally {
      await h.db.query(`UPDATE accounts SET reserved = 0 WHERE user_id = 'broke'`);
    }
  });
});

describe('VideoJob image.url (private addresses refused, the default)', () => {
  let h: Harness;
  let images: Awaited<ReturnType<typeof startImageServer>>;

  beforeAll(async () => {
    images = await startImageServer();
    h = await startHarness('imgurlssrf');
    await request(h.server).post('/v1/users/init').set('Authorization', dev('prober')).expect(200);
  });
  afterAll(async () => {
    await h?.close();
    await stopServer(images?.server);
  });

  it.each([
    { name: 'a loopback IP', url: () => `${images.base}/photo.png` },
    {
      name: 'a name that resolves to loopback',
      url: () => `${images.base.replace('127.0.0.1', 'localhost')}/photo.png`,
    },
  ])('should answer 422 without fetching when the URL leads to $name', async (c) => {
    const response = await request(h.server)
      .post('/internal/v1/jobs')
      .set('Authorization', `Bearer ${INTERNAL_TOKEN}`)
      .send({ uid: `vj-ssrf-${c.name}`, userId: 'prober', spec: { ...DRAFT, image: { url: c.url() } } })
      .expect(422);
    expect(response.body.errors).toEqual([
      { field: 'spec.image.url', message: expect.stringContaining('private, loopback or link-local') },
    ]);
    expect(images.hits).toEqual([]);
    const rows = await h.db.query(
      `SELECT (SELECT count(*) FROM jobs)::int AS jobs, (SELECT count(*) FROM uploads)::int AS uploads`,
    );
    expect(rows.rows[0]).toEqual({ jobs: 0, uploads: 0 });
    await checkInvariants(h.db);
  });
});

async function waitForQueued(h: Harness, jobId: string): Promise<string | undefined> {
  for (let i = 0; i < 100; i++) {
    const job = await h.jobsQueue.getJob(jobId);
    if (job) return job.data.imageKey;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

async function listObjects(h: Harness, prefix: string): Promise<string[]> {
  const client = h.app.get(StorageService).client;
  const names: string[] = [];
  for await (const item of client.listObjectsV2('cineweave', prefix, true)) {
    if ((item as { name?: string }).name) names.push((item as { name: string }).name);
  }
  return names;
}
