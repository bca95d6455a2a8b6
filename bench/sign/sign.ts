// bench/sign: what the worker's `sign` stage (C2PA manifest + BMFF hash + COSE signature, then the
// read-back validation) adds to one delivered video, next to the time to encode it. No target: the
// figures show the stage's cost, which scales with the MP4's size (the whole file is hashed twice).
//
//   node bench/sign/sign.ts [--seconds 5] [--width 1280] [--height 704] [--runs 5]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ContentSigner } from '../../services/gpu-worker/src/content-credentials/content-signer.ts';
import { createTestChain } from '../../services/gpu-worker/src/content-credentials/test-chain.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    width: { type: 'string', default: '1280' },
    height: { type: 'string', default: '704' },
    runs: { type: 'string', default: '5' },
  },
});
const [seconds, width, height, runs] = [values.seconds, values.width, values.height, values.runs].map(
  Number,
) as [number, number, number, number];

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0;

const dir = mkdtempSync(join(tmpdir(), 'cineweave-bench-sign-'));
try {
  const input = join(dir, 'video.mp4');
  const encodeStarted = performance.now();
  // Moving pattern plus grain, 24 fps, the worker's encode settings (H.264 yuv420p, +faststart).
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `testsrc2=size=${width}x${height}:rate=24:duration=${seconds},noise=alls=4:allf=t`],
    ...[
      '-c:v',
      'libx264',
      '-preset',
      'medium',
      '-crf',
      '18',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
    ],
    input,
  ]);
  const encodeMs = performance.now() - encodeStarted;
  const bytes = statSync(input).size;
  const chain = await createTestChain(join(dir, 'chain'));
  const signer = await ContentSigner.fromFiles(chain.certFile, chain.keyFile);
  const samples: number[] = [];
  for (let run = 0; run < runs + 1; run += 1) {
    const started = performance.now();
    await signer.signMp4(input, join(dir, `signed-${run}.mp4`), {
      jobId: '7d0d1f5e-5a43-4c59-9a3c-0b8f0f6f3b11',
      modelId: 'wan2.2-ti2v-5b',
      weightsHash: 'sha256:bench',
      version: '0.1.0',
      created: new Date(),
    });
    // The first run compiles nothing (the module is compiled at start) but warms the allocator.
    if (run > 0) samples.push(performance.now() - started);
  }
  const signMs = median(samples);
  const signedBytes = statSync(join(dir, 'signed-1.mp4')).size;
  console.log(`video          ${width}x${height}, ${seconds} s at 24 fps, ${(bytes / 1e6).toFixed(2)} MB`);
  console.log(`encode (ffmpeg, one run)   ${encodeMs.toFixed(0)} ms`);
  console.log(
    `sign + verify  median ${signMs.toFixed(0)} ms of ${runs} runs (min ${Math.min(...samples).toFixed(0)}, max ${Math.max(...samples).toFixed(0)}), ${(bytes / 1e6 / (signMs / 1000)).toFixed(0)} MB/s`,
  );
  console.log(`manifest adds  ${signedBytes - bytes} bytes`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
