import { ModerationStandIn } from '@cineweave/test-support';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutputModerator, contentPolicyReason, sampleFrames } from './output-moderator.ts';

describe(OutputModerator.name, () => {
  let dir: string;
  let video: string;
  let classifier: ModerationStandIn;
  const moderator = (overrides: Partial<ConstructorParameters<typeof OutputModerator>[0]> = {}) =>
    new OutputModerator({
      baseUrl: classifier.url,
      token: 'worker-secret',
      timeoutMs: 300,
      failMode: 'closed',
      frames: 3,
      ffmpegPath: 'ffmpeg',
      ...overrides,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cw-outmod-'));
    video = join(dir, 'video.mp4');
    // Two seconds of a test pattern, as the worker's contract MP4 (H.264, yuv420p).
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x192:rate=8:duration=2'],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', video],
    ]);
    classifier = await new ModerationStandIn().start();
  });
  afterAll(async () => {
    await classifier?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    classifier.flagImages = false;
    classifier.delayMs = 0;
  });

  it('should sample the asked number of JPEG frames of the video', async () => {
    const frames = await sampleFrames(video, 2, 3);
    expect(frames).toHaveLength(3);
    for (const frame of frames) {
      const meta = await sharp(frame).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 320, height: 192 });
    }
  });

  it('should allow a video the classifier does not flag, sending frames as image_url data URLs', async () => {
    const before = classifier.calls.length;
    await expect(moderator().check(video, 2)).resolves.toEqual({ outcome: 'allowed' });
    const call = classifier.calls[before];
    expect(call.authorization).toBe('Bearer worker-secret');
    const parts = call.body.input as { type: string; image_url: { url: string } }[];
    expect(parts).toHaveLength(3);
    for (const part of parts) {
      expect(part.type).toBe('image_url');
      expect(part.image_url.url).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    }
  });

  it('should refuse a flagged video with its categories and a content-policy reason', async () => {
    classifier.flagImages = true;
    const verdict = await moderator().check(video, 2);
    expect(verdict).toEqual({ outcome: 'refused', categories: ['sexual'] });
    if (verdict.outcome !== 'refused') throw new Error('unreachable');
    expect(contentPolicyReason(verdict)).toMatch(
      /^content-policy: the rendered video was flagged \(sexual\)/,
    );
  });

  it('should follow the fail mode when the classifier is slower than the timeout', async () => {
    classifier.delayMs = 1_000;
    await expect(moderator().check(video, 2)).resolves.toEqual({
      outcome: 'refused-on-error',
      reason: 'the classifier did not answer within 300 ms',
    });
    await expect(moderator({ failMode: 'open' }).check(video, 2)).resolves.toMatchObject({
      outcome: 'allowed-on-error',
    });
  });

  it('should follow the fail mode when the classifier is down', async () => {
    const port = Number(new URL(classifier.url).port);
    await classifier.stop();
    try {
      const closed = await moderator().check(video, 2);
      expect(closed.outcome).toBe('refused-on-error');
      expect(closed).toMatchObject({ reason: expect.stringContaining('could not be reached') });
      await expect(moderator({ failMode: 'open' }).check(video, 2)).resolves.toMatchObject({
        outcome: 'allowed-on-error',
      });
    } finally {
      await classifier.start(port);
    }
  });
});
