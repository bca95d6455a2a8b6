import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/core/config/app-config.ts';
import { StorageService } from '../src/core/storage/storage.service.ts';
import { type Harness, startHarness } from './support/harness.ts';

// In a cluster the API reaches the bundled MinIO at its Service, which no browser can resolve;
// browsers reach it through the ingress. Links must be signed for the address browsers use.
describe('presigned links for S3_PUBLIC_ENDPOINT', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('s3public');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('should sign links for the public origin, and the store should accept them there', async () => {
    const inCluster = h.app.get(StorageService);
    await inCluster.put('outputs/public/video.mp4', Buffer.from('video bytes'), 'video/mp4');
    // `localhost` stands for the public host, `127.0.0.1` for the in-cluster one: same s3rver.
    const publicOrigin = `http://localhost:${h.s3Port}`;
    const storage = new StorageService({
      env: { ...h.config.env, S3_PUBLIC_ENDPOINT: publicOrigin },
    } as AppConfig);

    const link = new URL(await storage.presignGet('outputs/public/video.mp4'));
    expect(link.origin).toBe(publicOrigin);
    const response = await fetch(link);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('video bytes');

    // The same signature presented at another host is refused: it really was signed for the public one.
    const elsewhere = new URL(link);
    elsewhere.hostname = '127.0.0.1';
    expect((await fetch(elsewhere)).status).toBe(403);
  });

  it('should sign for S3_ENDPOINT when no public origin is set', async () => {
    const link = new URL(await h.app.get(StorageService).presignGet('outputs/public/video.mp4'));
    expect(link.origin).toBe(new URL(h.config.env.S3_ENDPOINT).origin);
    expect((await fetch(link)).status).toBe(200);
  });
});
