import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface VideoProbe {
  codec: string;
  pixelFormat: string;
  width: number;
  height: number;
  frames: number;
  durationSeconds: number;
  /** True when the moov atom precedes the media data (+faststart). */
  fastStart: boolean;
}

/** What ffprobe says of a video file: the checks a person would make of a delivered MP4. */
export async function probeVideo(path: string, ffprobePath = 'ffprobe'): Promise<VideoProbe> {
  const { stdout } = await promisify(execFile)(ffprobePath, [
    ...['-v', 'error', '-select_streams', 'v:0', '-count_frames'],
    ...['-show_entries', 'stream=codec_name,pix_fmt,width,height,nb_read_frames:format=duration'],
    ...['-of', 'json', path],
  ]);
  const parsed = JSON.parse(stdout) as {
    streams: { codec_name: string; pix_fmt: string; width: number; height: number; nb_read_frames: string }[];
    format: { duration: string };
  };
  const [stream] = parsed.streams;
  if (!stream) throw new Error(`${path} has no video stream`);
  // The trace log (stderr) names the top-level atoms in file order.
  const { stderr: trace } = await promisify(execFile)(ffprobePath, ['-v', 'trace', '-i', path], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    codec: stream.codec_name,
    pixelFormat: stream.pix_fmt,
    width: stream.width,
    height: stream.height,
    frames: Number(stream.nb_read_frames),
    durationSeconds: Number(parsed.format.duration),
    fastStart: atomOrder(trace),
  };
}

function atomOrder(trace: string): boolean {
  const moov = trace.indexOf("type:'moov'");
  const mdat = trace.indexOf("type:'mdat'");
  return moov !== -1 && mdat !== -1 && moov < mdat;
}
