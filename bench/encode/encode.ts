// bench/encode: 121 frames at 1280x704 through the worker's encoder (frames piped from memory)
// against ffmpeg alone encoding the same frames from a raw file, with the same settings.
// Target: ours <= 1.1x ffmpeg alone.
//
//   node bench/encode/encode.ts [--frames 121] [--width 1280] [--height 704] [--runs 3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeVideo } from '../../services/gpu-worker/src/video/video-encoder.ts';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '121' },
    width: { type: 'string', default: '1280' },
    height: { type: 'string', default: '704' },
    fps: { type: 'string', default: '24' },
    runs: { type: 'string', default: '3' },
  },
});
const [frameCount, width, height, fps, runs] = [
  values.frames,
  values.width,
  values.height,
  values.fps,
  values.runs,
].map(Number) as [number, number, number, number, number];

/** Smoothly moving colour fields with a little grain: closer to generated footage than flat test patterns. */
function makeFrames(): Uint8Array[] {
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) % 9;
  return Array.from({ length: frameCount }, (_, frame) => {
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const i = (y * width + x) * 3;
        rgb[i] = (128 + 100 * Math.sin((x + frame * 4) / 90)) & 255;
        rgb[i + 1] = (128 + 90 * Math.cos((y - frame * 3) / 70)) & 255;
        rgb[i + 2] = ((x + y) / 8 + frame + noise()) & 255;
      }
    }
    return rgb;
  });
}

const dir = mkdtempSync(join(tmpdir(), 'cineweave-bench-encode-'));
try {
  const frames = makeFrames();
  const rawPath = join(dir, 'frames.rgb');
  writeFileSync(rawPath, Buffer.concat(frames));
  const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

  const alone: number[] = [];
  const ours: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    let start = process.hrtime.bigint();
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...[
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-s',
        `${width}x${height}`,
        '-r',
        String(fps),
        '-i',
        rawPath,
      ],
      ...[
        '-c:v',
        'libx264',
        '-pix_fmt',
        'yuv420p',
        '-crf',
        '18',
        '-movflags',
        '+faststart',
        join(dir, 'alone.mp4'),
      ],
    ]);
    alone.push(seconds(start));

    start = process.hrtime.bigint();
    await encodeVideo(frames, {
      ffmpegPath: 'ffmpeg',
      width,
      height,
      fps,
      outputPath: join(dir, 'ours.mp4'),
    });
    ours.push(seconds(start));
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  console.log(
    `frames ${frameCount} at ${width}x${height}, ${fps} fps, libx264 crf 18, ${runs} runs (median)`,
  );
  console.log(
    `ffmpeg alone from a raw file: ${median(alone).toFixed(2)} s  [${alone.map((s) => s.toFixed(2)).join(', ')}]`,
  );
  console.log(
    `worker encoder (piped):       ${median(ours).toFixed(2)} s  [${ours.map((s) => s.toFixed(2)).join(', ')}]`,
  );
  console.log(`ratio: ${(median(ours) / median(alone)).toFixed(3)} (target <= 1.1)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
