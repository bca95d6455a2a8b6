// `/v1/videos` through the official `openai` client's videos methods, against the built API with a
// CPU worker rendering the tiny test model: the façade must be what that client expects, end to end.
import { startStack, type Stack } from '@cineweave/test-support';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { APIError, toFile } from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: Stack;
const scratch = mkdtempSync(join(tmpdir(), 'cw-videos-e2e-'));
/** A draft the tiny model renders in a second or two. CineWeave's extras ride along with OpenAI's fields. */
const DRAFT = { size: '352x640', seconds: '1', fps: 8, steps: 4 } as const;

beforeAll(async () => {
  stack = await startStack({ name: 'videos-e2e', worker: true, apiEnv: { MAX_ACTIVE_JOBS_PER_USER: '10' } });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

async function newClient(): Promise<{ client: OpenAI; key: string }> {
  const user = `videos-${randomBytes(4).toString('hex')}`;
  const response = await fetch(`${stack.apiUrl}/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer dev:${user}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'openai client' }),
  });
  expect(response.status).toBe(201);
  const { key } = (await response.json()) as { key: string };
  return { client: new OpenAI({ apiKey: key, baseURL: `${stack.apiUrl}/v1`, maxRetries: 0 }), key };
}

// The client's types name OpenAI's own sizes and models; CineWeave's are passed through as they are.
type CreateParams = Parameters<OpenAI['videos']['create']>[0];
const params = (fields: Record<string, unknown>) => fields as unknown as CreateParams;

async function finished(client: OpenAI, id: string): Promise<OpenAI.Videos.Video> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const video = await client.videos.retrieve(id);
    if (video.status === 'completed' || video.status === 'failed') return video;
    if (Date.now() > deadline) throw new Error(`video ${id} still ${video.status} after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function credits(key: string): Promise<{ reserved: number; available: number }> {
  const response = await fetch(`${stack.apiUrl}/v1/credits`, { headers: { authorization: `Bearer ${key}` } });
  return (await response.json()) as { reserved: number; available: number };
}

describe('/v1/videos with the openai client', () => {
  it('should create, poll, download, list and delete a video the way the client expects', async () => {
    const { client, key } = await newClient();
    const created = await client.videos.create(params({ prompt: 'a paper boat on a pond', ...DRAFT }));
    expect(created).toMatchObject({ object: 'video', status: 'queued', size: '352x640', seconds: '1' });
    expect((await credits(key)).reserved).toBeGreaterThan(0);

    const done = await finished(client, created.id);
    expect(done).toMatchObject({ id: created.id, status: 'completed', progress: 100, error: null });
    expect(done.completed_at).toBeGreaterThanOrEqual(done.created_at);
    expect(done.expires_at).toBeGreaterThan(done.completed_at!);

    const mp4 = Buffer.from(await (await client.videos.downloadContent(created.id)).arrayBuffer());
    expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const file = join(scratch, 'video.mp4');
    writeFileSync(file, mp4);
    const probe = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file], { encoding: 'utf8' }),
    ) as { streams: { codec_name: string; width: number; height: number }[] };
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 352, height: 640 });
    const thumbnail = Buffer.from(
      await (await client.videos.downloadContent(created.id, { variant: 'thumbnail' })).arrayBuffer(),
    );
    expect(thumbnail.subarray(8, 12).toString('latin1')).toBe('WEBP');

    // A second video, then the list one item per page: the client follows `after=last_id` itself.
    const second = await client.videos.create(params({ prompt: 'a kite over dunes', ...DRAFT }));
    await finished(client, second.id);
    const listed: string[] = [];
    for await (const video of client.videos.list({ limit: 1 })) listed.push(video.id);
    expect(listed).toEqual([second.id, created.id]);

    expect(await client.videos.delete(created.id)).toEqual({
      id: created.id,
      object: 'video.deleted',
      deleted: true,
    });
    const gone = await client.videos.downloadContent(created.id).catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(APIError);
    expect((gone as APIError).status).toBe(410);
    expect((await credits(key)).reserved).toBe(0);
  }, 300_000);

  it('should render image-to-video from an input_reference file', async () => {
    const { client } = await newClient();
    const image = await sharp({ create: { width: 352, height: 640, channels: 3, background: '#3366aa' } })
      .png()
      .toBuffer();
    const created = await client.videos.create(
      params({
        prompt: 'the sky darkens',
        input_reference: await toFile(image, 'reference.png', { type: 'image/png' }),
        ...DRAFT,
      }),
    );
    expect((await finished(client, created.id)).status).toBe('completed');
    const job = (await (
      await fetch(`${stack.apiUrl}/v1/jobs/${created.id}`, {
        headers: { authorization: `Bearer ${client.apiKey}` },
      })
    ).json()) as { imageUploadId: string | null; imageSha256: string | null };
    expect(job.imageUploadId).toEqual(expect.any(String));
    expect(job.imageSha256).toMatch(/^[0-9a-f]{64}$/);
  }, 300_000);

  it('should cancel an unfinished video on delete and give its credits back', async () => {
    const { client, key } = await newClient();
    const before = await credits(key);
    const busy = await client.videos.create(params({ prompt: 'a long walk', ...DRAFT }));
    const cancelled = await client.videos.create(params({ prompt: 'never mind', ...DRAFT }));
    await client.videos.delete(cancelled.id);

    const video = await finished(client, cancelled.id);
    expect(video).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
    await finished(client, busy.id);
    const after = await credits(key);
    expect(after.reserved).toBe(0);
    // Only the finished video was charged.
    const charged = before.available - after.available;
    const first = (await (
      await fetch(`${stack.apiUrl}/v1/jobs/${busy.id}`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { creditsCharged: number };
    expect(charged).toBe(first.creditsCharged);
  }, 300_000);

  it('should refuse what CineWeave does not offer with a 400 that names the choices', async () => {
    const { client } = await newClient();
    const refused = await client.videos
      .create(params({ prompt: 'a lighthouse', size: '1280x720' }))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(APIError);
    expect((refused as APIError).status).toBe(400);
    expect(JSON.stringify((refused as APIError).error)).toContain('size must be one of 1280x704, 704x1280');
  });
});
