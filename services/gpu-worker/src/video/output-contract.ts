import { execFile } from 'node:child_process';
import { rename } from 'node:fs/promises';
import { promisify } from 'node:util';
import { probeVideo, type VideoProbe } from './ffprobe.ts';

/** What every CineWeave MP4 is, whatever made it: browsers play it progressively. */
export function meetsOutputContract(probe: VideoProbe): boolean {
  return probe.codec === 'h264' && probe.pixelFormat === 'yuv420p' && probe.fastStart;
}

export interface ContractedVideo {
  probe: VideoProbe;
  /** none: delivered as made; remux: moov moved to the front; reencode: H.264 yuv420p from scratch. */
  change: 'none' | 'remux' | 'reencode';
}

export interface ContractOptions {
  ffmpegPath: string;
  ffprobePath: string;
}

/**
 * Makes the MP4 at `path` meet the output contract (H.264, yuv420p, +faststart) in place, doing
 * the least work that gets there: nothing, a remux when only the moov atom is at the end, or a
 * re-encode. Throws when the file is not a video at all.
 */
export async function ensureOutputContract(path: string, options: ContractOptions): Promise<ContractedVideo> {
  const probe = await probeVideo(path, options.ffprobePath);
  if (meetsOutputContract(probe)) return { probe, change: 'none' };
  const change = probe.codec === 'h264' && probe.pixelFormat === 'yuv420p' ? 'remux' : 'reencode';
  const converted = `${path}.contract.mp4`;
  const args =
    change === 'remux'
      ? ['-map', '0', '-c', 'copy']
      : [
          ...['-map', '0:v:0', '-map', '0:a?', '-c:a', 'aac'],
          // yuv420p needs even sides; an odd engine size loses its last row or column.
          ...['-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2'],
          ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '18'],
        ];
  try {
    await promisify(execFile)(
      options.ffmpegPath,
      ['-hide_banner', '-loglevel', 'error', '-y', '-i', path, ...args, '-movflags', '+faststart', converted],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`ffmpeg could not ${change} the engine's MP4: ${stderr || (error as Error).message}`);
  }
  await rename(converted, path);
  return { probe: await probeVideo(path, options.ffprobePath), change };
}

/** The first frame of a video as RGB24, for its thumbnail. */
export async function readFirstFrame(
  path: string,
  size: { width: number; height: number },
  ffmpegPath: string,
): Promise<Uint8Array> {
  const { stdout } = await promisify(execFile)(
    ffmpegPath,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      path,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: size.width * size.height * 3 + 1024 },
  );
  if (stdout.length !== size.width * size.height * 3) {
    throw new Error(
      `The first frame of ${path} has ${stdout.length} bytes, not ${size.width}x${size.height} RGB`,
    );
  }
  return new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength);
}
