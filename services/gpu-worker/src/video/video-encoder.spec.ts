import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { probeVideo } from './ffprobe.ts';
import { encodeThumbnail } from './thumbnail.ts';
import { encodeVideo } from './video-encoder.ts';

const dir = mkdtempSync(join(tmpdir(), 'cineweave-encode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function* gradientFrames(count: number, width: number, height: number): Generator<Uint8Array> {
  for (let frame = 0; frame < count; frame += 1) {
    const rgb = new Uint8Array(width * height * 3);
    for (let pixel = 0; pixel < width * height; pixel += 1) {
      rgb[pixel * 3] = (pixel + frame * 7) % 256;
      rgb[pixel * 3 + 1] = (frame * 10) % 256;
      rgb[pixel * 3 + 2] = 128;
    }
    yield rgb;
  }
}

describe(encodeVideo.name, () => {
  it('should write a browser-playable H.264 MP4 with every frame at the job fps', async () => {
    const outputPath = join(dir, 'ok.mp4');
    const result = await encodeVideo(gradientFrames(25, 64, 32), {
      ffmpegPath: 'ffmpeg',
      width: 64,
      height: 32,
      fps: 24,
      outputPath,
    });
    expect(result).toEqual({ frames: 25, durationSeconds: 25 / 24 });

    const probe = await probeVideo(outputPath);
    expect(probe).toMatchObject({
      codec: 'h264',
      pixelFormat: 'yuv420p',
      width: 64,
      height: 32,
      frames: 25,
      fastStart: true,
    });
    expect(probe.durationSeconds).toBeCloseTo(25 / 24, 1);
  });

  it('should refuse a frame of the wrong size and leave no ffmpeg behind', async () => {
    const frames = [new Uint8Array(64 * 32 * 3), new Uint8Array(10)];
    await expect(
      encodeVideo(frames, {
        ffmpegPath: 'ffmpeg',
        width: 64,
        height: 32,
        fps: 24,
        outputPath: join(dir, 'bad.mp4'),
      }),
    ).rejects.toThrow(/Frame 1 has 10 bytes; 64x32 RGB needs 6144/);
  });

  it('should say how to point at ffmpeg when it is missing', async () => {
    await expect(
      encodeVideo(gradientFrames(1, 64, 32), {
        ffmpegPath: '/nonexistent/ffmpeg',
        width: 64,
        height: 32,
        fps: 24,
        outputPath: join(dir, 'x.mp4'),
      }),
    ).rejects.toThrow(/FFMPEG_PATH/);
  });

  it('should report ffmpeg errors with its message', async () => {
    // Odd sizes cannot be encoded as yuv420p: ffmpeg refuses, and the error carries its words.
    await expect(
      encodeVideo(gradientFrames(2, 63, 31), {
        ffmpegPath: 'ffmpeg',
        width: 63,
        height: 31,
        fps: 24,
        outputPath: join(dir, 'odd.mp4'),
      }),
    ).rejects.toThrow(/ffmpeg failed \(exit \d+\).*divisible by 2|ffmpeg failed/s);
  });
});

describe(encodeThumbnail.name, () => {
  it('should make a 480 px wide WebP keeping the aspect ratio', async () => {
    const frame = gradientFrames(1, 1280, 704).next().value as Uint8Array;
    const webp = await encodeThumbnail(frame, 1280, 704);
    const metadata = await sharp(webp).metadata();
    expect(metadata).toMatchObject({ format: 'webp', width: 480, height: 264 });
  });
});
