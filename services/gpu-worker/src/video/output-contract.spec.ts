import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeVideo } from './ffprobe.ts';
import { ensureOutputContract, readFirstFrame } from './output-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'cw-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' };

/** A 9-frame test pattern as some engine might write it. */
function engineVideo(name: string, encoding: string[]): string {
  const path = join(dir, name);
  execFileSync('ffmpeg', [
    ...[
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x48:rate=8:duration=1.125',
    ],
    ...encoding,
    path,
  ]);
  return path;
}

// Each case runs ffmpeg two to four times; on a loaded 2-core CI machine that takes longer than
// vitest's 5 s default.
describe(ensureOutputContract.name, { timeout: 60_000 }, () => {
  it('should leave an MP4 that already meets the contract untouched', async () => {
    const path = engineVideo('ok.mp4', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart']);
    const result = await ensureOutputContract(path, tools);
    expect(result.change).toBe('none');
    expect(result.probe).toMatchObject({ codec: 'h264', pixelFormat: 'yuv420p', fastStart: true, frames: 9 });
  });

  it('should only move the moov atom to the front when that is all that is wrong', async () => {
    const path = engineVideo('tail-moov.mp4', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    expect((await probeVideo(path)).fastStart).toBe(false);
    const result = await ensureOutputContract(path, tools);
    expect(result.change).toBe('remux');
    expect(result.probe).toMatchObject({ codec: 'h264', pixelFormat: 'yuv420p', fastStart: true, frames: 9 });
  });

  it('should re-encode another codec or chroma layout as H.264 yuv420p with +faststart', async () => {
    const path = engineVideo('yuv444.mp4', ['-c:v', 'libx264', '-pix_fmt', 'yuv444p']);
    const result = await ensureOutputContract(path, tools);
    expect(result.change).toBe('reencode');
    expect(result.probe).toMatchObject({
      codec: 'h264',
      pixelFormat: 'yuv420p',
      fastStart: true,
      width: 64,
      height: 48,
      frames: 9,
    });
    const mpeg4 = engineVideo('mpeg4.mp4', ['-c:v', 'mpeg4']);
    expect((await ensureOutputContract(mpeg4, tools)).probe).toMatchObject({
      codec: 'h264',
      fastStart: true,
    });
  });

  it('should refuse a file that is no video, with ffprobe’s words', async () => {
    const path = join(dir, 'not-a-video.mp4');
    execFileSync('sh', ['-c', `printf '{"error":"oops"}' > ${path}`]);
    await expect(ensureOutputContract(path, tools)).rejects.toThrow(/Invalid data|no video stream|moov/i);
  });
});

describe(readFirstFrame.name, () => {
  it('should read the first frame as RGB24 of the video’s size', async () => {
    const path = engineVideo('first.mp4', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    const frame = await readFirstFrame(path, { width: 64, height: 48 }, 'ffmpeg');
    expect(frame).toHaveLength(64 * 48 * 3);
  });
});
