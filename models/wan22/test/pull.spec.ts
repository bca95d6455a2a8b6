// `pull` against a stand-in of the Hugging Face hub's file API (test/support/hub-stand-in.ts)
// serving a tiny model in the official layout, over real HTTP.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildModel } from '../src/build/build-model.ts';
import { HubClient, HubError } from '../src/hub/hub-client.ts';
import { LogProgress } from '../src/hub/pull-progress.ts';
import { PULL_RECORD, PullVerificationError, pullModel } from '../src/hub/pull.ts';
import { HubStandIn } from './support/hub-stand-in.ts';
import { writeTinyOfficialCheckpoint } from './support/tiny-official.ts';

const REPO = 'Wan-AI/Wan2.2-TI2V-5B';
const cli = join(import.meta.dirname, '../src/cli/pull.ts');
let dir: string;
let source: string;
let hub: HubStandIn;
let out: string;

/** The repository's files as the tiny official layout has them. */
function sourceFiles(): string[] {
  return readdirSync(source, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(source.length + 1))
    .sort();
}

function runCli(
  args: string[],
  env: Record<string, string>,
): { done: Promise<number | null>; output: () => string; kill(): void } {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    done: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    output: () => output,
    kill: () => child.kill('SIGKILL'),
  };
}

describe(pullModel.name, () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cw-pull-'));
    source = join(dir, 'hub', 'Wan2.2-TI2V-5B');
    await writeTinyOfficialCheckpoint(source);
  }, 60_000);
  beforeEach(async () => {
    hub = await HubStandIn.start(REPO, source);
    out = await mkdtemp(join(dir, 'out-'));
  });
  afterEach(() => hub.close());
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('should pull every official file at the commit the revision names, verified, and build-model should build from it', async () => {
    const lines: string[] = [];
    hub.token = 'hf_test_token';
    const result = await pullModel({
      repo: REPO,
      revision: 'main',
      out,
      client: new HubClient({ endpoint: hub.endpoint, token: 'hf_test_token' }),
      progress: new LogProgress((line) => lines.push(line)),
    });

    expect(result.commit).toBe(hub.commit);
    expect(result.files.map((file) => file.path).sort()).toEqual(sourceFiles());
    expect(result.files.every((file) => file.how === 'downloaded')).toBe(true);
    for (const path of sourceFiles())
      expect(readFileSync(join(out, path))).toEqual(readFileSync(join(source, path)));
    // Pinned: every file comes from the commit, never from the moving branch.
    const resolves = hub.requests.filter((request) => request.path.includes('/resolve/'));
    expect(resolves.length).toBe(sourceFiles().length);
    expect(resolves.every((request) => request.path.includes(`/resolve/${hub.commit}/`))).toBe(true);
    // The token goes to the hub, never to the CDN the large files redirect to.
    expect(resolves.every((request) => request.authorization === 'Bearer hf_test_token')).toBe(true);
    const cdn = hub.requests.filter((request) => request.host === 'cdn');
    expect(cdn.length).toBeGreaterThan(3);
    expect(cdn.every((request) => request.authorization === null)).toBe(true);
    expect(lines[0]).toMatch(
      new RegExp(`^Pulling ${REPO} at commit ${hub.commit}: ${sourceFiles().length} files`),
    );
    expect(lines).toContain('Verified Wan2.2_VAE.safetensors');
    expect(JSON.parse(readFileSync(join(out, PULL_RECORD), 'utf8'))).toMatchObject({
      repo: REPO,
      commit: hub.commit,
    });

    const manifest = await buildModel({
      out: join(dir, 'model'),
      precision: 'fp32',
      target: 'cpu',
      source: { kind: 'official', dir: out, label: `hf:${REPO}@${result.commit}` },
    });
    expect(manifest.source).toBe(`hf:${REPO}@${hub.commit}`);
    expect(manifest.name).toBe('wan2.2-ti2v-d256-l2');
  }, 60_000);

  it('should download nothing and verify nothing twice when the files are already there', async () => {
    const client = new HubClient({ endpoint: hub.endpoint });
    await pullModel({ repo: REPO, revision: hub.commit, out, client });
    hub.requests.length = 0;
    const again = await pullModel({ repo: REPO, revision: hub.commit, out, client });
    expect(again.files.every((file) => file.how === 'present')).toBe(true);
    expect(again.bytesDownloaded).toBe(0);
    expect(hub.requests.map((request) => request.path)).toEqual([
      `/api/models/${REPO}/revision/${hub.commit}`,
    ]);
  });

  it('should resume a pull killed halfway from where it stopped, with HTTP Range', async () => {
    const largest = sourceFiles().sort(
      (a, b) => statSync(join(source, b)).size - statSync(join(source, a)).size,
    )[0];
    const size = statSync(join(source, largest)).size;
    hub.throttleBytesPerSecond = Math.ceil(size / 4);
    const first = runCli(['--repo', REPO, '--revision', 'main', '--out', out], { HF_ENDPOINT: hub.endpoint });
    const partial = join(out, `${largest}.incomplete`);
    const deadline = Date.now() + 30_000;
    while (!(existsSync(partial) && statSync(partial).size > size / 4)) {
      if (Date.now() > deadline) throw new Error(`No partial download of ${largest}:\n${first.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.kill();
    await first.done;
    const kept = statSync(partial).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(size);

    hub.throttleBytesPerSecond = 0;
    hub.requests.length = 0;
    const second = runCli(['--repo', REPO, '--revision', 'main', '--out', out], {
      HF_ENDPOINT: hub.endpoint,
    });
    expect(await second.done, second.output()).toBe(0);
    const sha = hub.file(largest)?.sha256;
    const resumed = hub.requests.find(
      (request) => request.host === 'cdn' && request.path === `/blobs/${sha}`,
    );
    expect(resumed?.range).toBe(`bytes=${kept}-`);
    expect(second.output()).toContain(`Resumed and verified ${largest}`);
    expect(readFileSync(join(out, largest))).toEqual(readFileSync(join(source, largest)));
    expect(existsSync(partial)).toBe(false);
  }, 90_000);

  it('should name each file whose bytes differ from the sha256 the hub publishes, keep the good ones, and fetch only the bad one again', async () => {
    hub.corrupt.add('Wan2.2_VAE.safetensors');
    const client = new HubClient({ endpoint: hub.endpoint });
    const failed = pullModel({ repo: REPO, revision: 'main', out, client });
    await expect(failed).rejects.toBeInstanceOf(PullVerificationError);
    await expect(failed).rejects.toThrow(
      new RegExp(
        `Wan2\\.2_VAE\\.safetensors: sha256 is [0-9a-f]{64}, the hub publishes ${hub.file('Wan2.2_VAE.safetensors')?.sha256}`,
      ),
    );
    expect(existsSync(join(out, 'Wan2.2_VAE.safetensors'))).toBe(false);
    expect(existsSync(join(out, 'Wan2.2_VAE.safetensors.incomplete'))).toBe(false);
    expect(existsSync(join(out, 'config.json'))).toBe(true);

    hub.corrupt.clear();
    const fixed = await pullModel({ repo: REPO, revision: 'main', out, client });
    expect(fixed.files.filter((file) => file.how === 'downloaded').map((file) => file.path)).toEqual([
      'Wan2.2_VAE.safetensors',
    ]);
  });

  it('should ask for HF_TOKEN when the repository needs one, and say when the token has no access', async () => {
    hub.token = 'hf_right';
    const pull = (token?: string) =>
      pullModel({
        repo: REPO,
        revision: 'main',
        out,
        client: new HubClient({ endpoint: hub.endpoint, token }),
      });
    await expect(pull()).rejects.toThrow(`${REPO} was not found or needs authentication (401): set HF_TOKEN`);
    await expect(pull('hf_wrong')).rejects.toThrow(/the token in HF_TOKEN has no access to it/);
    expect((await pull('hf_right')).files.length).toBe(sourceFiles().length);

    const denied = runCli(['--out', out, '--revision', 'main'], { HF_ENDPOINT: hub.endpoint });
    expect(await denied.done).toBe(1);
    expect(denied.output()).toContain(
      `pull: ${REPO} was not found or needs authentication (401): set HF_TOKEN`,
    );
  }, 30_000);

  it('should name a revision the repository does not have', async () => {
    const failed = pullModel({
      repo: REPO,
      revision: 'v9.9',
      out,
      client: new HubClient({ endpoint: hub.endpoint }),
    });
    await expect(failed).rejects.toBeInstanceOf(HubError);
    await expect(failed).rejects.toThrow(`Revision v9.9 does not exist in ${REPO}`);
    expect(readdirSync(out)).toEqual([]);
  });

  it('should say so when the endpoint is not a hub', async () => {
    await expect(
      pullModel({
        repo: REPO,
        revision: 'main',
        out,
        client: new HubClient({ endpoint: 'http://127.0.0.1:9' }),
      }),
    ).rejects.toThrow(/Could not reach 127\.0\.0\.1:9/);
  });
});
