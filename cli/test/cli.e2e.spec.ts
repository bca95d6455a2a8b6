// The built `cineweave` CLI as a process against the real thing: the built API on its own Postgres
// database, Redis prefix and S3-protocol server, and a CPU worker running the tiny test model.
// One stack for the whole file; each scenario signs up a user of its own.
import { CreditsSummarySchema, JobViewSchema, type JobView } from '@cineweave/contracts';
import { startStack, type Stack } from '@cineweave/test-support';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidPng } from './support/png.ts';
import { runCli, runCliInTerminal, type CliRun } from './support/run-cli.ts';

let stack: Stack;
const scratch = mkdtempSync(join(tmpdir(), 'cw-cli-e2e-'));
const ESC = '\u001b';
/** A draft the tiny model renders in a second or two, at 3 credits. */
const DRAFT = ['--resolution', '352x640', '--duration', '1', '--fps', '8'];

beforeAll(async () => {
  stack = await startStack({
    name: 'cli-e2e',
    worker: true,
    build: ['cli'],
    // Scenarios queue several jobs each behind one worker.
    apiEnv: {
      MAX_ACTIVE_JOBS_PER_USER: '50',
      // The webhook scenario's receiver listens on loopback.
      SSRF_ALLOW_CIDRS: '127.0.0.0/8',
      WEBHOOK_BACKOFF_BASE_MS: '100',
      WEBHOOK_BACKOFF_MAX_MS: '200',
    },
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

interface User {
  id: string;
  key: string;
  /** The environment of a logged-in run: the API, the key, and a config dir of its own. */
  env: Record<string, string>;
}

/** A new user with the free plan's credits and an API key, made as the portal makes them. */
async function newUser(): Promise<User> {
  const id = `cli-${randomBytes(4).toString('hex')}`;
  const response = await fetch(`${stack.apiUrl}/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer dev:${id}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'cli e2e' }),
  });
  expect(response.status).toBe(201);
  const { key } = (await response.json()) as { key: string };
  return { id, key, env: { ...configHome(), CINEWEAVE_API_URL: stack.apiUrl, CINEWEAVE_API_KEY: key } };
}

function configHome(): { XDG_CONFIG_HOME: string } {
  return { XDG_CONFIG_HOME: mkdtempSync(join(scratch, 'config-')) };
}

function json<T = Record<string, unknown>>(run: CliRun): T {
  expect(run.code, `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout) as T;
}

async function createJob(user: User, ...args: string[]): Promise<JobView> {
  return JobViewSchema.parse(
    json(await runCli(['create', 'a red fox in the snow', ...DRAFT, ...args, '--json'], user.env)),
  );
}

function isMp4(file: string): boolean {
  return readFileSync(file).subarray(4, 8).toString('latin1') === 'ftyp';
}

describe('cineweave login', () => {
  it('should store a key the API accepted in a file only its owner can read', async () => {
    const user = await newUser();
    const home = configHome();
    const login = await runCli(['login', '--with-key', '--api-url', stack.apiUrl], home, `${user.key}\n`);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`Logged in to ${stack.apiUrl} as ${user.id}`);

    const file = join(home.XDG_CONFIG_HOME, 'cineweave', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      apiUrl: stack.apiUrl,
      hosts: { [stack.apiUrl]: { apiKey: user.key } },
    });
    // Later commands find the API and the key in the file alone.
    const credits = json<{ credits: unknown }>(await runCli(['credits', '--json'], home));
    expect(CreditsSummarySchema.parse(credits.credits).available).toBe(100);
  });

  it('should refuse a key the API does not know with exit code 3 and store nothing', async () => {
    const home = configHome();
    const login = await runCli(['login'], {
      ...home,
      CINEWEAVE_API_URL: stack.apiUrl,
      CINEWEAVE_API_KEY: 'cw_notarealkey',
    });
    expect(login.code).toBe(3);
    expect(login.stderr).toContain('Error: Authentication required');
    expect(login.stderr).toContain(`${stack.apiUrl} refused this key`);
    expect(login.stderr).toContain('What to do: Check that the key was copied whole');
    expect(existsSync(join(home.XDG_CONFIG_HOME, 'cineweave', 'config.json'))).toBe(false);
  });
});

describe('cineweave create', () => {
  it('should create a text-to-video job once for one idempotency key', async () => {
    const user = await newUser();
    const key = randomUUID();
    const first = await createJob(user, '--steps', '2', '--seed', '7', '--idempotency-key', key);
    expect(first).toMatchObject({
      prompt: 'a red fox in the snow',
      resolution: '352x640',
      steps: 2,
      seed: 7,
      creditsReserved: 3,
    });
    const again = await createJob(user, '--steps', '2', '--seed', '7', '--idempotency-key', key);
    expect(again.id).toBe(first.id);
  });

  it('should upload --image and create an image-to-video job from it', async () => {
    const user = await newUser();
    const image = join(scratch, 'input.png');
    writeFileSync(image, solidPng(96, 64, [200, 40, 90]));
    const run = await runCli(
      ['create', 'the colour field ripples', ...DRAFT, '--steps', '2', '--image', image],
      user.env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Uploaded input\.png \(96×64\) as upload [0-9a-f-]{36}\./);
    const jobId = /Created job ([0-9a-f-]{36})/.exec(run.stdout)?.[1] ?? 'no job id printed';
    const status = JobViewSchema.parse(json(await runCli(['status', jobId, '--json'], user.env)));
    expect(status.imageUploadId).toMatch(/^[0-9a-f-]{36}$/);
    expect(status.imageSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should wait with plain progress lines off a terminal and save the MP4 with --output', async () => {
    const user = await newUser();
    const file = join(scratch, 'fox.mp4');
    const run = await runCli(
      ['create', 'a red fox in the snow', ...DRAFT, '--steps', '4', '--output', file],
      user.env,
    );
    expect(run.code, run.stderr).toBe(0);
    // Past the last step the line names what the worker does: encode, then upload (100 % at its end).
    expect(run.stderr).toMatch(/^[0-9a-f]{8} step 4\/4 \(\d+%\) · encoding · ETA /m);
    expect(run.stderr).toMatch(/^[0-9a-f]{8} step 4\/4 \(100%\) · uploading · ETA /m);
    expect(run.stderr).not.toContain('finishing');
    expect(run.stderr).not.toContain(ESC); // no colours or cursor movement off a terminal
    expect(run.stdout).toMatch(/succeeded: 3 credits charged/);
    expect(run.stdout).toContain(`Saved the video to ${file}`);
    expect(isMp4(file)).toBe(true);
  }, 120_000);

  it('should exit 5 with the problem detail when the credits do not cover the job', async () => {
    const user = await newUser();
    const drain = await fetch(`${stack.apiUrl}/v1/admin/credits/grant`, {
      method: 'POST',
      headers: { authorization: 'Bearer dev:cli-e2e-admin:admin', 'content-type': 'application/json' },
      body: JSON.stringify({ userId: user.id, amount: -95, reason: 'cli e2e: leave 5 credits' }),
    });
    expect(drain.status).toBeLessThan(300);
    const run = await runCli(
      ['create', 'a long pan', '--resolution', '352x640', '--duration', '2'],
      user.env,
    );
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('Error: Not enough credits');
    expect(run.stderr).toContain('This job costs 6 credits and 5 are available');
    expect(run.stderr).toContain('What to do: Top up');
  });
});

describe('cineweave status, ls, watch, cancel, download, credits and quote', () => {
  let user: User;
  let done: JobView;

  beforeAll(async () => {
    user = await newUser();
    const created = await createJob(user, '--steps', '2');
    const waited = await runCli(['watch', created.id, '--json'], user.env);
    expect(waited.code, waited.stderr).toBe(0);
    const events = waited.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; data: unknown });
    expect(events.at(-1)?.event).toBe('completed');
    done = JobViewSchema.parse(json(await runCli(['status', created.id, '--json'], user.env)));
  }, 120_000);

  it('should show a job as the API returns it, and exit 4 for an unknown one', async () => {
    expect(done).toMatchObject({ status: 'succeeded', creditsCharged: 3, progress: 100 });
    const missing = await runCli(['status', randomUUID()], user.env);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('Error: Not found');
    expect(missing.stderr).toContain('cineweave ls');
  });

  it('should list jobs page by page, filtered by status', async () => {
    await createJob(user, '--steps', '1');
    const first = json<{ items: JobView[]; nextCursor: string | null }>(
      await runCli(['ls', '--limit', '1', '--json'], user.env),
    );
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = json<{ items: JobView[] }>(
      await runCli(['ls', '--limit', '1', '--cursor', String(first.nextCursor), '--json'], user.env),
    );
    expect(second.items[0].id).not.toBe(first.items[0].id);
    const succeeded = json<{ items: JobView[]; nextCursor: null }>(
      await runCli(['ls', '--all', '--status', 'succeeded', '--json'], user.env),
    );
    expect(succeeded.items.map((job) => job.id)).toContain(done.id);
    expect(succeeded.items.every((job) => job.status === 'succeeded')).toBe(true);
    expect(succeeded.nextCursor).toBeNull();
  });

  it('should cancel a job, see it end cancelled with exit code 1, and refuse to cancel it twice', async () => {
    // The most steps the stack's tiny model takes: long enough to still be queued or running when cancelled.
    const long = await createJob(user, '--steps', '50');
    const cancelled = JobViewSchema.parse(json(await runCli(['cancel', long.id, '--json'], user.env)));
    expect(['cancelled', 'running']).toContain(cancelled.status);
    const watched = await runCli(['watch', long.id], user.env);
    expect(watched.code).toBe(1);
    expect(watched.stdout).toContain(`Job ${long.id} cancelled`);
    const again = await runCli(['cancel', long.id], user.env);
    expect(again.code).toBe(7);
    expect(again.stderr).toContain('only queued or running jobs can be cancelled');
  }, 120_000);

  it('should download the video and the thumbnail', async () => {
    const video = json(
      await runCli(['download', done.id, '--output', join(scratch, 'done.mp4'), '--json'], user.env),
    );
    expect(video).toEqual({
      jobId: done.id,
      kind: 'video',
      file: join(scratch, 'done.mp4'),
      bytes: expect.any(Number),
      contentType: 'video/mp4',
    });
    expect(isMp4(join(scratch, 'done.mp4'))).toBe(true);
    const thumbnail = json<{ file: string; contentType: string }>(
      await runCli(['download', done.id, '--thumbnail', '--output', scratch, '--json'], user.env),
    );
    expect(thumbnail).toMatchObject({
      file: join(scratch, `cineweave-${done.id.slice(0, 8)}-thumbnail.webp`),
      contentType: 'image/webp',
    });
    expect(readFileSync(thumbnail.file).subarray(8, 12).toString('latin1')).toBe('WEBP');
  });

  it('should show the balance with the ledger, and quote a price', async () => {
    const { credits, ledger } = json<{
      credits: unknown;
      ledger: { items: { kind: string; jobId: string | null }[] };
    }>(await runCli(['credits', '--json', '--limit', '100'], user.env));
    expect(CreditsSummarySchema.parse(credits).plan).toBe('free');
    const kinds = ledger.items
      .filter((entry) => entry.jobId === done.id)
      .map((entry) => entry.kind)
      .sort();
    expect(kinds).toEqual(['capture', 'reserve']);
    const quote = json(
      await runCli(['quote', '--resolution', '352x640', '--duration', '2', '--json'], {
        ...configHome(),
        CINEWEAVE_API_URL: stack.apiUrl,
      }),
    );
    // Priced for the stack's default model, the tiny test model (price factor 1).
    expect(quote).toEqual({
      resolution: '352x640',
      durationSeconds: 2,
      model: 'wan2.2-tiny-test',
      preset: 'quality',
      credits: 6,
    });
  });
});

describe('cineweave models', () => {
  it('should list the catalog with the tiny test model served and say it is a test model', async () => {
    const run = await runCli(['models'], { ...configHome(), CINEWEAVE_API_URL: stack.apiUrl });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('wan2.2-tiny-test (default)');
    expect(run.stdout).toContain('test model: random weights, its videos are noise');
    expect(run.stdout).toContain('fastwan2.2-ti2v-5b');
    const listed = json<{ items: { id: string; available: boolean; testModel: boolean }[] }>(
      await runCli(['models', '--json'], { ...configHome(), CINEWEAVE_API_URL: stack.apiUrl }),
    );
    expect(listed.items.find((model) => model.id === 'wan2.2-tiny-test')).toMatchObject({
      available: true,
      testModel: true,
    });
    expect(listed.items.find((model) => model.id === 'fastwan2.2-ti2v-5b')?.available).toBe(false);
  });
});

describe('cineweave webhooks', () => {
  it('should add an endpoint with its secret, list it, send a signed test and rotate the secret', async () => {
    const user = await newUser();
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const receiver = createHttpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    try {
      const added = json<{ id: string; secret: string; eventTypes: string[] }>(
        await runCli(['webhooks', 'add', url, '--events', 'job.succeeded,job.failed', '--json'], user.env),
      );
      expect(added.secret).toMatch(/^whsec_/);
      expect(added.eventTypes).toEqual(['job.succeeded', 'job.failed']);

      const listed = await runCli(['webhooks', 'list'], user.env);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(url);
      expect(listed.stdout).not.toContain('whsec_');

      const tested = await runCli(['webhooks', 'test', added.id], user.env);
      expect(tested.code, tested.stderr).toBe(0);
      expect(tested.stdout).toMatch(/Delivered test message msg_\w+: HTTP 204/);
      expect(received).toHaveLength(1);
      const headers = (index: number) => ({
        'webhook-id': String(received[index]?.headers['webhook-id']),
        'webhook-timestamp': String(received[index]?.headers['webhook-timestamp']),
        'webhook-signature': String(received[index]?.headers['webhook-signature']),
      });
      expect(new Webhook(added.secret).verify(received[0]?.body ?? '', headers(0))).toMatchObject({
        type: 'webhook.test',
      });

      const rotated = json<{ secret: string; previousSecretExpiresAt: string | null }>(
        await runCli(['webhooks', 'rotate', added.id, '--overlap', '0', '--json'], user.env),
      );
      expect(rotated.secret).not.toBe(added.secret);
      expect(rotated.previousSecretExpiresAt).toBeNull();
      expect((await runCli(['webhooks', 'test', added.id], user.env)).code).toBe(0);
      new Webhook(rotated.secret).verify(received[1]?.body ?? '', headers(1));
      expect(() => new Webhook(added.secret).verify(received[1]?.body ?? '', headers(1))).toThrow();
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('should refuse a bad event name or id with exit code 2 and create nothing', async () => {
    const user = await newUser();
    const badEvent = await runCli(
      ['webhooks', 'add', 'https://93.184.215.14/x', '--events', 'job.exploded'],
      user.env,
    );
    expect(badEvent.code).toBe(2);
    expect(badEvent.stderr).toContain('job.succeeded');
    const badId = await runCli(['webhooks', 'test', 'nope'], user.env);
    expect(badId.code).toBe(2);
    const refused = await runCli(['webhooks', 'add', 'http://10.0.0.1/hooks'], user.env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('private, loopback or link-local');
    const listed = json<{ items: unknown[] }>(await runCli(['webhooks', 'list', '--json'], user.env));
    expect(listed.items).toEqual([]);
  });
});

describe('cineweave without an API', () => {
  it('should exit 6 and say the API could not be reached', async () => {
    const port = await closedPort();
    const run = await runCli(['ls'], {
      ...configHome(),
      CINEWEAVE_API_URL: `http://127.0.0.1:${port}`,
      CINEWEAVE_API_KEY: 'cw_x',
    });
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('Error: Could not reach the CineWeave API');
    expect(run.stderr).toContain('ECONNREFUSED');
  });
});

describe('cineweave in a terminal', () => {
  it('should draw a live progress bar with step n/N, the stage and the ETA', async () => {
    const user = await newUser();
    const run = await runCliInTerminal(
      ['create', 'a lighthouse at dusk', ...DRAFT, '--steps', '12', '--wait'],
      user.env,
    );
    expect(run.code, run.stdout).toBe(0);
    // The bar redraws one line in place: each frame starts where the cursor was sent back
    // (ESC [ n G), and ends with terminal controls (ESC [ ... letter), stripped here.
    const frames = run.stdout
      .split(new RegExp(`\r|${ESC}\\[\\d*G`))
      .map((frame) => frame.replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), '').trim())
      .filter((frame) => frame.includes('█') || frame.includes('░'));
    const steps = new Set(frames.map((frame) => /step (\d+)\/12/.exec(frame)?.[1]).filter(Boolean));
    expect(steps.size, frames.join('\n')).toBeGreaterThanOrEqual(2);
    expect(frames.some((frame) => /denoising · ETA \d+:\d\d$/.test(frame))).toBe(true);
    expect(frames.at(-1)).toMatch(/100% · step 12\/12 · succeeded · ETA 0:00/);
    expect(run.stdout).toContain('succeeded: 3 credits charged');
  }, 120_000);
});

/** A port nothing listens on: bound by the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
