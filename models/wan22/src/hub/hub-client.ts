/**
 * The Hugging Face hub's file API, as huggingface_hub uses it:
 * - `GET {endpoint}/api/models/{repo}/revision/{revision}?blobs=true`: the commit a revision
 *   names (`sha`) and its files (`siblings`: `rfilename`, `size`, `blobId`, and for LFS files
 *   `lfs.sha256` / `lfs.size`);
 * - `GET {endpoint}/{repo}/resolve/{commit}/{path}`: the file; LFS files redirect to a signed CDN
 *   URL (`Location`), with `X-Repo-Commit`, `X-Linked-Etag` (their sha256) and `X-Linked-Size`;
 * - failures carry `X-Error-Code` (`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`, `GatedRepo`).
 * `HF_ENDPOINT` points all of it at a mirror or an air-gapped proxy that speaks the same API.
 */

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** A file of a repository at one commit, with what the hub publishes to verify it. */
export interface HubFile {
  path: string;
  size: number;
  /** The LFS object id: the sha256 of the file's content. */
  sha256?: string;
  /** The git blob id (sha1 of "blob <size>\0" + content): what small, non-LFS files are known by. */
  gitBlobId?: string;
}

export interface RevisionInfo {
  repo: string;
  revision: string;
  /** The 40-hex commit the revision names: every download is pinned to it. */
  commit: string;
  files: HubFile[];
}

export class HubError extends Error {
  readonly status: number;
  readonly code: string | null;

  constructor(message: string, status: number, code: string | null) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export interface HubClientOptions {
  endpoint?: string;
  token?: string;
  /** How long to wait for an answer's headers (a body may take as long as it needs). */
  timeoutMs?: number;
}

const MAX_REDIRECTS = 5;

export class HubClient {
  readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: HubClientOptions = {}) {
    this.endpoint = (options.endpoint || DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
    this.token = options.token || undefined;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The commit `revision` names in `repo`, and every file of the repository at that commit. */
  async revision(repo: string, revision: string): Promise<RevisionInfo> {
    const url = `${this.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
    const response = await this.fetch(url, {});
    if (!response.ok) throw await this.error(response, repo, revision);
    const body = (await response.json()) as {
      sha?: unknown;
      siblings?: {
        rfilename?: unknown;
        size?: unknown;
        blobId?: unknown;
        lfs?: { sha256?: unknown; size?: unknown };
      }[];
    };
    if (typeof body.sha !== 'string' || !/^[0-9a-f]{40}$/.test(body.sha) || !Array.isArray(body.siblings)) {
      throw new HubError(
        `${url} did not answer like a Hugging Face hub (no commit sha or file list); check HF_ENDPOINT`,
        response.status,
        null,
      );
    }
    const files = body.siblings.map((sibling): HubFile => {
      if (typeof sibling.rfilename !== 'string')
        throw new HubError(`${url} lists a file without a name`, 200, null);
      const lfs = sibling.lfs && typeof sibling.lfs.sha256 === 'string' ? sibling.lfs : undefined;
      const size = Number(lfs?.size ?? sibling.size);
      if (!Number.isSafeInteger(size) || size < 0) {
        throw new HubError(
          `${url} gives no size for ${sibling.rfilename}; the hub publishes sizes with ?blobs=true`,
          200,
          null,
        );
      }
      return {
        path: sibling.rfilename,
        size,
        ...(lfs ? { sha256: String(lfs.sha256) } : {}),
        ...(typeof sibling.blobId === 'string' ? { gitBlobId: sibling.blobId } : {}),
      };
    });
    return { repo, revision, commit: body.sha, files };
  }

  /**
   * Opens a file of `repo` at `commit` from byte `start` on. Follows the hub's redirects itself:
   * the token goes to the hub only, never to the CDN a large file is redirected to.
   */
  async download(
    repo: string,
    commit: string,
    path: string,
    start: number,
    signal?: AbortSignal,
  ): Promise<FileResponse> {
    let url = `${this.endpoint}/${repo}/resolve/${commit}/${path.split('/').map(encodeURIComponent).join('/')}`;
    const hub = new URL(url).host;
    let linked: FileResponse['linked'] = {};
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      const sameHost = new URL(url).host === hub;
      const response = await this.fetch(url, {
        redirect: 'manual',
        signal,
        auth: sameHost,
        headers: { 'accept-encoding': 'identity', ...(start > 0 ? { range: `bytes=${start}-` } : {}) },
      });
      if (sameHost) {
        linked = {
          commit: response.headers.get('x-repo-commit') ?? linked.commit,
          etag:
            normalizeEtag(response.headers.get('x-linked-etag') ?? response.headers.get('etag')) ??
            linked.etag,
          size: numberOrUndefined(response.headers.get('x-linked-size')) ?? linked.size,
        };
      }
      if (response.status >= 300 && response.status < 400) {
        const location = response.headers.get('location');
        await response.body?.cancel();
        if (!location) throw new HubError(`${url} redirected without a Location`, response.status, null);
        url = new URL(location, url).toString();
        continue;
      }
      if (response.status === 416) {
        await response.body?.cancel();
        return { status: 416, body: null, start, linked };
      }
      if (!response.ok) throw await this.error(response, repo, commit, path);
      if (response.status === 206) {
        const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
        if (!range || Number(range[1]) !== start) {
          await response.body?.cancel();
          throw new HubError(`${url} answered a range that does not start at byte ${start}`, 206, null);
        }
        return { status: 206, body: response.body, start, linked };
      }
      // 200: the whole file (a server that ignores Range starts over from byte 0).
      return { status: 200, body: response.body, start: 0, linked };
    }
    throw new HubError(`${path}: more than ${MAX_REDIRECTS} redirects`, 310, null);
  }

  private async fetch(
    url: string,
    options: {
      redirect?: 'follow' | 'manual';
      signal?: AbortSignal;
      auth?: boolean;
      headers?: Record<string, string>;
    },
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.token && options.auth !== false) headers['authorization'] = `Bearer ${this.token}`;
    // A bound on the wait for headers only: the body of a 10 GB file takes its time.
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new Error(`no answer from ${new URL(url).host} within ${this.timeoutMs / 1000} s`)),
      this.timeoutMs,
    );
    try {
      return await fetch(url, {
        headers,
        redirect: options.redirect ?? 'follow',
        signal: options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal,
      });
    } catch (error) {
      if (timeout.signal.aborted) throw timeout.signal.reason as Error;
      const cause = (error as { cause?: { message?: string } }).cause;
      throw new Error(`Could not reach ${new URL(url).host}: ${cause?.message ?? (error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async error(response: Response, repo: string, revision: string, path?: string): Promise<HubError> {
    const code = response.headers.get('x-error-code');
    const serverMessage =
      response.headers.get('x-error-message') ?? (await response.text().catch(() => '')).slice(0, 200);
    const where = path ? `${path} in ${repo}@${revision}` : `${repo}@${revision}`;
    const tokenHint = this.token
      ? 'the token in HF_TOKEN has no access to it: check it, and accept the model licence on the hub if it is gated'
      : 'set HF_TOKEN to a token with access to it';
    let message: string;
    if (code === 'RevisionNotFound') {
      message = `Revision ${revision} does not exist in ${repo}: use a commit, branch or tag of the repository`;
    } else if (code === 'EntryNotFound') {
      message = `${path ?? 'The file'} does not exist in ${repo} at ${revision}`;
    } else if (code === 'GatedRepo' || response.status === 403) {
      message = `${repo} is gated: ${tokenHint}`;
    } else if (response.status === 401 || code === 'RepoNotFound') {
      message = `${repo} was not found or needs authentication (${response.status}): ${tokenHint}`;
    } else {
      message = `The hub answered ${response.status} for ${where}${serverMessage ? `: ${serverMessage}` : ''}`;
    }
    return new HubError(message, response.status, code);
  }
}

export interface FileResponse {
  /** 200: the whole file from byte 0; 206: from `start`; 416: nothing past `start` (already complete). */
  status: 200 | 206 | 416;
  body: ReadableStream<Uint8Array> | null;
  start: number;
  /** What the hub said of the file before any redirect. */
  linked: { commit?: string | null; etag?: string | null; size?: number };
}

/** `W/"abc"` → `abc`, as huggingface_hub normalises ETags. */
function normalizeEtag(value: string | null): string | null {
  if (!value) return null;
  return value.replace(/^W\//, '').replace(/^"|"$/g, '');
}

function numberOrUndefined(value: string | null): number | undefined {
  const number = Number(value);
  return value !== null && Number.isSafeInteger(number) ? number : undefined;
}
