// A stand-in for the Hugging Face hub's file API, written from huggingface_hub's client code
// (file_download.py: get_hf_file_metadata, http_get; hf_api.py: model_info with files_metadata;
// utils/_http.py: hf_raise_for_status), over real HTTP:
//   GET /api/models/{repo}/revision/{revision}?blobs=true  → {id, sha, siblings: [{rfilename, size, blobId, lfs?}]}
//   GET /{repo}/resolve/{revision}/{path}                   → small files: 200 with ETag (git blob id);
//                                                             LFS files: 302 to a CDN on another host, with
//                                                             X-Repo-Commit, X-Linked-Etag (sha256), X-Linked-Size
//   the CDN: GET /blobs/{sha256}?sig=… with Range (206, Content-Range) and 416 past the end
// Errors carry X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound) as the hub's do.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, relative } from 'node:path';

/** Files at or above this size are stored in LFS (the hub's threshold is 10 MB; tiny models need a smaller one). */
const LFS_THRESHOLD = 1024;

interface RepoFile {
  path: string;
  bytes: Buffer;
  sha256: string;
  gitBlobId: string;
  lfs: boolean;
}

export interface HubRequest {
  host: 'hub' | 'cdn';
  method: string;
  path: string;
  range: string | null;
  authorization: string | null;
}

export class HubStandIn {
  readonly requests: HubRequest[] = [];
  /** When set, the repository is private: requests without this bearer token get 401. */
  token: string | null = null;
  /** CDN bytes per second per response (0: as fast as it goes), to interrupt a download halfway. */
  throttleBytesPerSecond = 0;
  /** Paths whose CDN bytes are altered from the 100th byte on: their sha256 no longer matches. */
  readonly corrupt = new Set<string>();

  private files: RepoFile[] = [];
  private readonly hub: Server;
  private readonly cdn: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly repo: string,
    readonly commit: string,
    readonly branches: Record<string, string>,
  ) {
    this.hub = createServer((request, response) => this.serveHub(request, response));
    this.cdn = createServer((request, response) => void this.serveCdn(request, response));
    for (const server of [this.hub, this.cdn]) {
      server.on('connection', (socket) => {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
      });
    }
  }

  /** Serves the files under `dir` as `repo` at one commit, also named by the branch `main`. */
  static async start(repo: string, dir: string): Promise<HubStandIn> {
    const commit = randomBytes(20).toString('hex');
    const standIn = new HubStandIn(repo, commit, { main: commit });
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    for (const entry of entries.filter((e) => e.isFile())) {
      const full = join(entry.parentPath, entry.name);
      const bytes = await readFile(full);
      standIn.files.push({
        path: relative(dir, full).split('\\').join('/'),
        bytes,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        gitBlobId: createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex'),
        lfs: bytes.length >= LFS_THRESHOLD,
      });
    }
    await Promise.all([listen(standIn.hub), listen(standIn.cdn)]);
    return standIn;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.hub.address() as AddressInfo).port}`;
  }

  private get cdnUrl(): string {
    return `http://127.0.0.1:${(this.cdn.address() as AddressInfo).port}`;
  }

  file(path: string): RepoFile | undefined {
    return this.files.find((file) => file.path === path);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([this.hub, this.cdn].map((server) => new Promise((resolve) => server.close(resolve))));
  }

  private record(host: HubRequest['host'], request: IncomingMessage): URL {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    this.requests.push({
      host,
      method: request.method ?? 'GET',
      path: url.pathname,
      range: request.headers.range ?? null,
      authorization: request.headers.authorization ?? null,
    });
    return url;
  }

  private serveHub(request: IncomingMessage, response: ServerResponse): void {
    const url = this.record('hub', request);
    if (this.token && request.headers.authorization !== `Bearer ${this.token}`) {
      // The hub hides private repositories from the unauthenticated: 401, RepoNotFound.
      return error(response, 401, 'RepoNotFound', 'Repository not found');
    }
    const info = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const repo = info?.[1] ?? resolve?.[1];
    if (!repo) return error(response, 404, null, 'Not Found');
    if (repo !== this.repo) return error(response, 404, 'RepoNotFound', 'Repository not found');
    const revision = decodeURIComponent(info?.[2] ?? resolve?.[2] ?? '');
    const commit = revision === this.commit ? this.commit : this.branches[revision];
    if (!commit) return error(response, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
    if (info) {
      const blobs = url.searchParams.get('blobs') === 'true';
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: this.repo,
          modelId: this.repo,
          sha: commit,
          siblings: this.files.map((file) => ({
            rfilename: file.path,
            ...(blobs
              ? {
                  size: file.bytes.length,
                  blobId: file.lfs ? createHash('sha1').update(file.sha256).digest('hex') : file.gitBlobId,
                  ...(file.lfs
                    ? { lfs: { sha256: file.sha256, size: file.bytes.length, pointerSize: 134 } }
                    : {}),
                }
              : {}),
          })),
        }),
      );
      return;
    }
    const path = decodeURIComponent(resolve?.[3] ?? '');
    const file = this.file(path);
    if (!file) return error(response, 404, 'EntryNotFound', `Entry not found: ${path}`, commit);
    if (file.lfs) {
      response
        .writeHead(302, {
          location: `${this.cdnUrl}/blobs/${file.sha256}?sig=${randomBytes(8).toString('hex')}`,
          'x-repo-commit': commit,
          'x-linked-etag': `"${file.sha256}"`,
          'x-linked-size': String(file.bytes.length),
          etag: `"${file.gitBlobId}"`,
        })
        .end();
      return;
    }
    response
      .writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': file.bytes.length,
        etag: `"${file.gitBlobId}"`,
        'x-repo-commit': commit,
      })
      .end(file.bytes);
  }

  private async serveCdn(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = this.record('cdn', request);
    const sha = /^\/blobs\/([0-9a-f]{64})$/.exec(url.pathname)?.[1];
    const file = this.files.find((candidate) => candidate.sha256 === sha);
    if (!file || !url.searchParams.get('sig'))
      return error(response, 403, null, 'Request has expired or is not signed');
    let bytes = file.bytes;
    if (this.corrupt.has(file.path)) {
      bytes = Buffer.from(bytes);
      for (let i = 100; i < bytes.length; i += 1) bytes[i] ^= 0x5a;
    }
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= bytes.length && range) {
      response.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
      return;
    }
    const body = bytes.subarray(start);
    response.writeHead(range ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
    });
    if (!this.throttleBytesPerSecond) return void response.end(body);
    const chunk = Math.max(1, Math.floor(this.throttleBytesPerSecond / 20));
    for (let offset = 0; offset < body.length && !response.destroyed; offset += chunk) {
      response.write(body.subarray(offset, offset + chunk));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    response.end();
  }
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
}

function error(
  response: ServerResponse,
  status: number,
  code: string | null,
  message: string,
  commit?: string,
): void {
  response
    .writeHead(status, {
      'content-type': 'application/json',
      ...(code ? { 'x-error-code': code } : {}),
      'x-error-message': message,
      ...(commit ? { 'x-repo-commit': commit } : {}),
    })
    .end(JSON.stringify({ error: message }));
}
