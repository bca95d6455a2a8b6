import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import { matchesAny } from './glob.ts';
import { HubError, type HubClient, type HubFile } from './hub-client.ts';
import type { PullProgress } from './pull-progress.ts';

/** The official Wan2.2-TI2V-5B files, pinned to a commit of the repository. */
export const WAN22_TI2V_5B = {
  repo: 'Wan-AI/Wan2.2-TI2V-5B',
  // Taken from a public reference to the repository (not verifiable from here, which has no
  // route to the hub): pin a commit you have checked with `--revision`.
  revision: '921dbaf3f1674a56f47e83fb80a34bac8a8f203e',
} as const;

/** What build-model reads from an official download (see build/checkpoint.ts), and the licence. */
export const OFFICIAL_LAYOUT_FILES = [
  'config.json',
  'diffusion_pytorch_model*.safetensors',
  'diffusion_pytorch_model*.safetensors.index.json',
  'models_t5_umt5-xxl-enc-bf16.*',
  'Wan2.2_VAE.*',
  'google/umt5-xxl/**',
  'LICENSE*',
  'README.md',
] as const;

/** Beside the files: what was pulled from where, and which files were verified when. */
export const PULL_RECORD = '.cineweave-pull.json';

export interface PullOptions {
  repo: string;
  revision: string;
  out: string;
  client: HubClient;
  /** Globs over repository paths; default OFFICIAL_LAYOUT_FILES; `['**']` for everything. */
  include?: readonly string[];
  progress?: PullProgress;
  /** Network errors survived per file before the pull gives up (it resumes where it stopped). */
  retries?: number;
  signal?: AbortSignal;
}

export interface PullRecord {
  repo: string;
  revision: string;
  commit: string;
  endpoint: string;
  files: Record<string, { size: number; sha256?: string; gitBlobId?: string; mtimeMs: number }>;
}

export interface PullResult {
  commit: string;
  files: { path: string; size: number; how: 'downloaded' | 'present' }[];
  bytesDownloaded: number;
}

/** Files whose bytes are not what the hub publishes; each line names one. */
export class PullVerificationError extends Error {
  readonly mismatches: string[];

  constructor(mismatches: string[]) {
    super(
      `${mismatches.length} file${mismatches.length === 1 ? '' : 's'} did not match what the hub publishes ` +
        `(removed; run pull again to fetch them anew):\n  ${mismatches.join('\n  ')}`,
    );
    this.mismatches = mismatches;
  }
}

/**
 * Downloads the files of `repo` at `revision` into `out`, pinned to the commit the revision names:
 * resumes partial files with HTTP Range, verifies every file against the sha256 (LFS) or git blob
 * id the hub publishes, and keeps a record so that a second pull of the same commit verifies
 * nothing twice and downloads nothing.
 */
export async function pullModel(options: PullOptions): Promise<PullResult> {
  const { client, repo, out } = options;
  const include = options.include ?? OFFICIAL_LAYOUT_FILES;
  const info = await client.revision(repo, options.revision);
  const files = info.files.filter((file) => matchesAny(file.path, include));
  if (files.length === 0) {
    throw new Error(`No file of ${repo} at ${info.commit} matches ${include.join(', ')}`);
  }
  const root = resolve(out);
  for (const file of files) {
    if (!resolve(root, file.path).startsWith(root + sep)) throw new Error(`${file.path} is outside ${root}`);
  }
  await mkdir(root, { recursive: true });
  const record = await readRecord(root, repo, info.commit, client.endpoint, options.revision);
  const progress = options.progress;
  const present = new Map<string, boolean>();
  for (const file of files) present.set(file.path, await isRecorded(root, file, record));
  progress?.start({
    repo,
    commit: info.commit,
    files: files.length,
    bytes: files.reduce((sum, file) => sum + (present.get(file.path) ? 0 : file.size), 0),
  });

  const result: PullResult = { commit: info.commit, files: [], bytesDownloaded: 0 };
  const mismatches: string[] = [];
  for (const file of files) {
    if (present.get(file.path)) {
      result.files.push({ path: file.path, size: file.size, how: 'present' });
      continue;
    }
    const target = join(root, file.path);
    const partial = `${target}.incomplete`;
    await mkdir(dirname(target), { recursive: true });
    progress?.file(file.path, file.size);
    const before = await sizeOf(partial);
    await download(options, info.commit, file, partial, (bytes) => {
      result.bytesDownloaded += bytes;
      progress?.bytes(bytes);
    });
    const actual = await digest(partial, file);
    const expected = file.sha256 ?? file.gitBlobId;
    if (expected && actual !== expected) {
      await rm(partial, { force: true });
      mismatches.push(
        `${file.path}: ${file.sha256 ? 'sha256' : 'git blob id'} is ${actual}, the hub publishes ${expected}`,
      );
      progress?.fileDone(file.path, 'mismatch');
      continue;
    }
    await rename(partial, target);
    record.files[file.path] = {
      size: file.size,
      ...(file.sha256 ? { sha256: file.sha256 } : {}),
      ...(file.gitBlobId ? { gitBlobId: file.gitBlobId } : {}),
      mtimeMs: (await stat(target)).mtimeMs,
    };
    await writeRecord(root, record);
    result.files.push({ path: file.path, size: file.size, how: 'downloaded' });
    progress?.fileDone(file.path, before > 0 ? 'resumed' : 'downloaded');
  }
  progress?.end();
  if (mismatches.length > 0) throw new PullVerificationError(mismatches);
  return result;
}

async function download(
  options: PullOptions,
  commit: string,
  file: HubFile,
  partial: string,
  onBytes: (bytes: number) => void,
): Promise<void> {
  const retries = options.retries ?? 5;
  for (let attempt = 0; ; attempt += 1) {
    let have = await sizeOf(partial);
    if (have > file.size) {
      await rm(partial, { force: true });
      have = 0;
    }
    if (have === file.size) return;
    try {
      const response = await options.client.download(options.repo, commit, file.path, have, options.signal);
      checkLinked(file, commit, response.linked);
      if (response.status === 416) return;
      if (response.status === 200 && have > 0) await truncate(partial, 0);
      if (!response.body) throw new Error(`the hub sent no body for ${file.path}`);
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          onBytes(chunk.length);
          callback(null, chunk);
        },
      });
      await pipeline(
        Readable.fromWeb(response.body as NodeReadableStream),
        counter,
        createWriteStream(partial, { flags: response.status === 206 ? 'a' : 'w' }),
      );
      if ((await sizeOf(partial)) === file.size) return;
      throw new Error(`the connection closed at ${await sizeOf(partial)} of ${file.size} bytes`);
    } catch (error) {
      if (options.signal?.aborted || !isTransient(error) || attempt >= retries) throw error;
      await sleep(Math.min(30_000, 500 * 2 ** attempt));
    }
  }
}

/** The hub's headers must agree with its listing: same commit, same content id, same size. */
function checkLinked(
  file: HubFile,
  commit: string,
  linked: { commit?: string | null; etag?: string | null; size?: number },
): void {
  const inconsistent = (message: string) => new HubError(`${file.path}: ${message}`, 409, 'Inconsistent');
  if (linked.commit && linked.commit !== commit) {
    throw inconsistent(`the hub served commit ${linked.commit}, not the pinned ${commit}`);
  }
  if (file.sha256 && linked.etag && /^[0-9a-f]{64}$/.test(linked.etag) && linked.etag !== file.sha256) {
    throw inconsistent(
      `the hub's X-Linked-Etag ${linked.etag} differs from its listing's sha256 ${file.sha256}`,
    );
  }
  if (linked.size !== undefined && linked.size !== file.size) {
    throw inconsistent(
      `the hub's X-Linked-Size ${linked.size} differs from its listing's ${file.size} bytes`,
    );
  }
}

/** Network trouble and the hub's 5xx are worth another try; its 4xx answers are not. */
function isTransient(error: unknown): boolean {
  return !(error instanceof HubError && error.status < 500);
}

/** sha256 for LFS files, the git blob id (sha1 over "blob <size>\0" + content) for the others. */
async function digest(path: string, file: HubFile): Promise<string> {
  const hash = file.sha256 ? createHash('sha256') : createHash('sha1').update(`blob ${file.size}\0`);
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (info) => info.size,
    () => 0,
  );
}

async function readRecord(
  root: string,
  repo: string,
  commit: string,
  endpoint: string,
  revision: string,
): Promise<PullRecord> {
  const fresh: PullRecord = { repo, revision, commit, endpoint, files: {} };
  try {
    const record = JSON.parse(await readFile(join(root, PULL_RECORD), 'utf8')) as PullRecord;
    return record.repo === repo && record.commit === commit ? { ...record, revision, endpoint } : fresh;
  } catch {
    return fresh;
  }
}

async function writeRecord(root: string, record: PullRecord): Promise<void> {
  await writeFile(join(root, PULL_RECORD), `${JSON.stringify(record, null, 2)}\n`);
}

/** Verified by an earlier pull of this commit, and untouched since (same size and mtime). */
async function isRecorded(root: string, file: HubFile, record: PullRecord): Promise<boolean> {
  const entry = record.files[file.path];
  if (!entry || entry.size !== file.size) return false;
  if (
    (entry.sha256 ?? null) !== (file.sha256 ?? null) ||
    (entry.gitBlobId ?? null) !== (file.gitBlobId ?? null)
  )
    return false;
  const info = await stat(join(root, file.path)).catch(() => null);
  return info !== null && info.size === file.size && info.mtimeMs === entry.mtimeMs;
}
