import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ApiClient } from './api-client.ts';
import { OutputLinkSchema } from '@cineweave/contracts';
import { CliError, describeNetworkError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

export type OutputKind = 'video' | 'thumbnail';

/** What `download --json` prints. */
export interface Downloaded {
  jobId: string;
  kind: OutputKind;
  /** Absolute path written, or null when written to stdout (`-o -`). */
  file: string | null;
  bytes: number;
  contentType: string | null;
}

const EXTENSIONS: Record<string, string> = {
  'video/mp4': 'mp4',
  'image/webp': 'webp',
  'image/png': 'png',
  'image/jpeg': 'jpg',
};

/**
 * Saves a job's video or thumbnail. The API hands out a short-lived presigned link to the object
 * store (asked for as JSON, so the key is never sent to the store); the bytes go to a file beside
 * the target and are renamed onto it once complete, so an interrupted download leaves no half file.
 */
export async function downloadOutput(
  client: ApiClient,
  jobId: string,
  kind: OutputKind,
  target: string | undefined,
  stdout: NodeJS.WritableStream,
): Promise<Downloaded> {
  const { data: link } = await client.get(`/v1/jobs/${jobId}/${kind}`, OutputLinkSchema, {
    headers: { accept: 'application/json' },
  });
  let response: Response;
  try {
    response = await fetch(link.url, { signal: client.interrupt });
  } catch (error) {
    if (client.interrupt.aborted) throw client.interrupt.reason;
    throw new CliError(
      ExitCode.Unavailable,
      'Could not download from the object store',
      `${new URL(link.url).origin}: ${describeNetworkError(error)}`,
      {
        hint: 'The API signs links for its S3_PUBLIC_ENDPOINT (or S3_ENDPOINT): that address must be reachable from this machine.',
      },
    );
  }
  if (!response.ok || !response.body) {
    throw new CliError(
      ExitCode.ApiError,
      'The object store refused the download',
      `${new URL(link.url).origin} answered ${response.status} ${response.statusText}.`,
      {
        hint: 'Links are valid for 15 minutes; run the command again for a fresh one.',
      },
    );
  }
  const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() ?? null;
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  const body = Readable.fromWeb(response.body as WebReadableStream);

  if (target === '-') {
    await pipeline(body, counter, stdout, { end: false });
    return { jobId, kind, file: null, bytes, contentType };
  }
  const file = await targetFile(target, jobId, kind, contentType);
  const partial = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.part`);
  try {
    await pipeline(body, counter, createWriteStream(partial, { flags: 'wx' }));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    if (client.interrupt.aborted) throw client.interrupt.reason;
    // File system errors name their path; a broken connection does not.
    const fileError = error as NodeJS.ErrnoException;
    if (fileError.path) {
      throw new CliError(ExitCode.Usage, 'Could not write the file', `${file}: ${fileError.message}`);
    }
    throw new CliError(ExitCode.Unavailable, 'The download broke off', describeNetworkError(error), {
      hint: 'Run the command again.',
    });
  }
  return { jobId, kind, file, bytes, contentType };
}

/** The file to write: the one named, `cineweave-<id>.<ext>` inside a directory named, or here. */
async function targetFile(
  target: string | undefined,
  jobId: string,
  kind: OutputKind,
  contentType: string | null,
): Promise<string> {
  const extension = (contentType && EXTENSIONS[contentType]) ?? (kind === 'video' ? 'mp4' : 'webp');
  const name = `cineweave-${jobId.slice(0, 8)}${kind === 'thumbnail' ? '-thumbnail' : ''}.${extension}`;
  if (!target) return resolve(name);
  const isDirectory = await stat(target).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  return isDirectory ? join(target, name) : resolve(target);
}
