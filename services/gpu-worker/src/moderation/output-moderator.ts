import { type ModerationRequest, ModerationResponseSchema } from '@cineweave/contracts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface OutputModeratorOptions {
  /** Base URL of a classifier in the OpenAI moderation API's shape (`POST {url}/v1/moderations`). */
  baseUrl: string;
  token?: string;
  model?: string;
  timeoutMs: number;
  /** `open` delivers a video the classifier could not judge; `closed` fails the job. */
  failMode: 'open' | 'closed';
  /** How many frames to sample, spread evenly over the video. */
  frames: number;
  ffmpegPath: string;
}

export type OutputVerdict =
  | { outcome: 'allowed' }
  | { outcome: 'allowed-on-error'; reason: string }
  | { outcome: 'refused'; categories: string[] }
  | { outcome: 'refused-on-error'; reason: string };

/**
 * The optional output check: a few JPEG frames of the rendered MP4 (ffmpeg), sent to the external
 * classifier as `image_url` data URLs before anything is uploaded. A flagged video is never
 * delivered; the job fails with reason `content-policy` and its reservation is released.
 */
export class OutputModerator {
  constructor(private readonly options: OutputModeratorOptions) {}

  async check(videoPath: string, durationSeconds: number): Promise<OutputVerdict> {
    const frames = await sampleFrames(
      videoPath,
      durationSeconds,
      this.options.frames,
      this.options.ffmpegPath,
    );
    const body: ModerationRequest = {
      ...(this.options.model ? { model: this.options.model } : {}),
      input: frames.map((jpeg) => ({
        type: 'image_url' as const,
        image_url: { url: `data:image/jpeg;base64,${jpeg.toString('base64')}` },
      })),
    };
    let failure: string;
    try {
      const response = await fetch(new URL('v1/moderations', this.options.baseUrl.replace(/\/?$/, '/')), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
        body: JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const parsed = ModerationResponseSchema.safeParse(await response.json().catch(() => null));
      if (response.ok && parsed.success) {
        const categories = new Set<string>();
        let flagged = false;
        for (const result of parsed.data.results) {
          flagged ||= result.flagged;
          for (const [category, set] of Object.entries(result.categories)) if (set) categories.add(category);
        }
        if (!flagged) return { outcome: 'allowed' };
        return { outcome: 'refused', categories: categories.size > 0 ? [...categories] : ['unspecified'] };
      }
      failure = `the classifier answered ${response.status}${parsed.success ? '' : ' in an unknown shape'}`;
    } catch (error) {
      failure =
        (error as Error).name === 'TimeoutError'
          ? `the classifier did not answer within ${this.options.timeoutMs} ms`
          : `the classifier could not be reached (${(error as Error).message})`;
    }
    return this.options.failMode === 'open'
      ? { outcome: 'allowed-on-error', reason: failure }
      : { outcome: 'refused-on-error', reason: failure };
  }
}

/** `count` JPEG frames at evenly spaced times (never the very end, which may hold no frame). */
export async function sampleFrames(
  videoPath: string,
  durationSeconds: number,
  count: number,
  ffmpegPath = 'ffmpeg',
): Promise<Buffer[]> {
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const at = (durationSeconds * (i + 0.5)) / count;
    const { stdout } = await promisify(execFile)(
      ffmpegPath,
      [
        ...['-v', 'error', '-ss', at.toFixed(3), '-i', videoPath],
        ...['-frames:v', '1', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '4', '-'],
      ],
      { encoding: 'buffer', maxBuffer: 32 * 1024 * 1024 },
    );
    if (stdout.length > 0) frames.push(stdout);
  }
  if (frames.length === 0) throw new Error(`No frame could be read from ${videoPath}`);
  return frames;
}

/** The reason of a job whose output the policy refused; the API and the portal match its prefix. */
export function contentPolicyReason(
  verdict: Extract<OutputVerdict, { outcome: `refused${string}` }>,
): string {
  return verdict.outcome === 'refused'
    ? `content-policy: the rendered video was flagged (${verdict.categories.join(', ')}); it was not delivered and nothing was charged.`
    : `content-policy: the rendered video could not be checked (${verdict.reason}); it was not delivered and nothing was charged.`;
}
