import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface VideoEncodeOptions {
  ffmpegPath: string;
  width: number;
  height: number;
  fps: number;
  /** MP4 file to write; +faststart needs a seekable file, so never a pipe. */
  outputPath: string;
}

export interface EncodedVideo {
  frames: number;
  durationSeconds: number;
}

/**
 * Pipes raw RGB24 frames into ffmpeg and writes an H.264 MP4 that browsers play progressively:
 * yuv420p (the only chroma layout every browser decodes), CRF 18 (visually lossless for
 * generated footage) and the moov atom at the front (+faststart).
 */
export async function encodeVideo(
  frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: VideoEncodeOptions,
): Promise<EncodedVideo> {
  const frameBytes = options.width * options.height * 3;
  const ffmpeg = spawn(
    options.ffmpegPath,
    [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...[
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-s',
        `${options.width}x${options.height}`,
        '-r',
        String(options.fps),
      ],
      ...['-i', 'pipe:0'],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '18', '-movflags', '+faststart'],
      options.outputPath,
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  ffmpeg.stderr.setEncoding('utf8');
  ffmpeg.stderr.on('data', (chunk: string) => {
    // Keep the tail only: it is where ffmpeg says what went wrong.
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    ffmpeg.once('error', (error) =>
      reject(
        new Error(`Could not start ffmpeg at '${options.ffmpegPath}' (${error.message}); set FFMPEG_PATH`),
      ),
    );
    ffmpeg.once('close', (code) => resolve(code));
  });
  // A failed write surfaces through the exit code and stderr below.
  ffmpeg.stdin.on('error', () => undefined);

  let count = 0;
  try {
    for await (const frame of frames) {
      if (frame.byteLength !== frameBytes) {
        throw new Error(
          `Frame ${count} has ${frame.byteLength} bytes; ${options.width}x${options.height} RGB needs ${frameBytes}`,
        );
      }
      count += 1;
      if (!ffmpeg.stdin.write(frame)) {
        await Promise.race([once(ffmpeg.stdin, 'drain'), exited]);
      }
    }
  } catch (error) {
    ffmpeg.kill('SIGKILL');
    await exited.catch(() => undefined);
    throw error;
  }
  ffmpeg.stdin.end();
  const code = await exited;
  if (code !== 0) {
    throw new Error(
      `ffmpeg failed (exit ${code}) encoding ${count} frames: ${stderr.trim() || 'no message'}`,
    );
  }
  if (count === 0) throw new Error('No frames to encode');
  return { frames: count, durationSeconds: count / options.fps };
}
