// A stand-in for the CineWeave API with fixed data, for screenshots and manual checks of the
// portal before the real API runs. It speaks the routes and shapes the portal expects
// (see src/app/core/api/api-types.ts); the end-to-end suite uses the real API instead.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A two-second test-pattern MP4 for the finished jobs' player, made once with ffmpeg (null without it). */
let sampleVideo;
function sampleMp4() {
  if (sampleVideo !== undefined) return sampleVideo;
  const dir = mkdtempSync(join(tmpdir(), 'cw-fixture-'));
  const file = join(dir, 'sample.mp4');
  const source = ['-f', 'lavfi', '-i', 'testsrc2=size=640x352:rate=24:duration=2'];
  const encode = ['-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-movflags', '+faststart', file];
  const made = spawnSync('ffmpeg', ['-loglevel', 'error', ...source, ...encode], { stdio: 'ignore' });
  sampleVideo = made.status === 0 ? readFileSync(file) : null;
  rmSync(dir, { recursive: true, force: true });
  return sampleVideo;
}

const now = Date.now();
const ago = (minutes) => new Date(now - minutes * 60_000).toISOString();
const id = (n) => `6f1c1f9e-8f0a-4b8e-9d55-0a4a7c2b9e${String(n).padStart(2, '0')}`;

/** A week of made-up activity for the admin charts, in the shape of GET /v1/admin/timeseries. */
function timeseries(bucket) {
  const size = bucket === 'day' ? 86_400_000 : 3_600_000;
  const count = bucket === 'day' ? 30 : 7 * 24 + 1;
  const end = Math.floor(now / size) * size + size;
  const from = end - count * size;
  const wave = (i, scale) => Math.max(0, Math.round(scale * (1 + Math.sin(i / 5)) + ((i * 7) % 3)));
  const starts = Array.from({ length: count }, (_, i) => new Date(from + i * size).toISOString());
  const dayCount = Math.ceil((end - Math.floor(from / 86_400_000) * 86_400_000) / 86_400_000);
  const days = Array.from({ length: dayCount }, (_, i) =>
    new Date(Math.floor(from / 86_400_000) * 86_400_000 + i * 86_400_000).toISOString().slice(0, 10),
  );
  const teams = [
    { id: '0b7c4f5e-3d1c-4a57-9f0e-0a1b2c3d4e5f', name: 'Design team' },
    { id: '1c8d5a6f-4e2d-4b68-8a1f-1b2c3d4e5f60', name: 'Personal (alice@example.com)' },
    { id: 'other', name: 'Other teams' },
  ];
  const hourly = 2.5;
  return {
    from: new Date(from).toISOString(),
    to: new Date(end).toISOString(),
    bucket,
    gpuHourlyCostUsd: hourly,
    jobs: starts.map((at, i) => ({
      at,
      byStatus: {
        queued: i === count - 1 ? 3 : 0,
        running: i === count - 1 ? 2 : 0,
        succeeded: wave(i, 4),
        failed: i % 11 === 0 ? 1 : 0,
        cancelled: i % 17 === 0 ? 1 : 0,
        expired: 0,
      },
    })),
    queue: starts.map((at, i) => ({
      at,
      depth: wave(i + 3, 2),
      started: wave(i, 4),
      waitP95Seconds: wave(i, 4) ? 20 + wave(i, 30) : null,
    })),
    teams,
    gpuByDay: days.map((day, i) => ({
      day,
      byTeam: Object.fromEntries(
        teams.map((team, t) => {
          const seconds = (3 - t) * 900 + wave(i + t, 400);
          return [
            team.id,
            { gpuSeconds: seconds, costUsd: Math.round(((seconds * hourly) / 3600) * 10_000) / 10_000 },
          ];
        }),
      ),
    })),
    credits: days.map((day, i) => ({
      day,
      granted: i % 7 === 0 ? 2000 : 0,
      toppedUp: i % 3 === 0 ? 500 : 0,
      captured: 300 + wave(i, 150),
    })),
  };
}

export function fixtures() {
  const job = (n, status, prompt, extra = {}) => ({
    id: id(n),
    status,
    prompt,
    negativePrompt: null,
    imageUploadId: null,
    resolution: '1280x704',
    durationSeconds: 5,
    fps: 24,
    seed: 1_234_567 + n,
    steps: 50,
    guidanceScale: 5,
    model: 'wan2.2-ti2v-5b',
    creditsReserved: 50,
    imageSha256: null,
    priority: 0,
    creditsCharged: status === 'succeeded' ? 50 : null,
    queuePosition: null,
    progress: status === 'succeeded' ? 100 : 0,
    stage: null,
    failureReason: null,
    gpuSeconds: status === 'succeeded' ? 212.5 : null,
    videoUrl: null,
    thumbnailUrl: null,
    videoKey: null,
    thumbnailKey: null,
    createdAt: ago(n * 37),
    startedAt: status === 'queued' ? null : ago(n * 37 - 1),
    finishedAt: ['succeeded', 'failed', 'cancelled', 'expired'].includes(status) ? ago(n * 37 - 4) : null,
    outputExpiresAt: status === 'succeeded' ? new Date(now + 20 * 3600_000).toISOString() : null,
    contentCredentials:
      status === 'succeeded'
        ? {
            manifestLabel: `urn:c2pa:${id(n)}`,
            signer: 'CineWeave test signer (untrusted)',
            issuer: 'CineWeave',
            created: ago(n * 37 - 4),
            generator: 'CineWeave 0.1.0',
            modelId: 'wan2.2-ti2v-5b',
            weightsHash: 'sha256:6a56538fe4bb8e0c7d89aac185902035d29aafb2bcfcd812bec965c594e398c1',
            jobId: id(n),
            validation: 'valid',
            validationFailures: ['signingCredential.untrusted'],
          }
        : null,
    userId: n % 2 ? 'alice' : 'bob',
    ...extra,
  });
  // Like the real API: media are API routes that redirect (302) to the stored file.
  const thumb = (name) => ({
    thumbnailUrl: `/v1/media/${name}/thumbnail`,
    videoUrl: `/v1/media/${name}/video`,
  });
  const jobs = [
    job(
      1,
      'running',
      'A paper boat drifting down a rainy street at dusk, macro lens, shallow depth of field',
      { progress: 42 },
    ),
    job(2, 'queued', 'Slow aerial orbit around a lighthouse in a storm, waves crashing', {
      queuePosition: 2,
    }),
    job(
      3,
      'succeeded',
      'A rain-soaked cyberpunk street at night, neon signs reflecting in puddles',
      thumb('neon-city'),
    ),
    job(
      4,
      'succeeded',
      'Aurora borealis rippling over a silent fjord, stars wheeling, time-lapse',
      thumb('aurora-fjord'),
    ),
    job(5, 'failed', 'Two koi circling in dark water, ink-wash style', {
      failureReason: 'The GPU worker ran out of memory at step 31. Try a draft size or fewer steps.',
      creditsReleased: 50,
    }),
    job(6, 'succeeded', 'A camel caravan crossing dunes at sunset, long shadows, wide cinematic shot', {
      ...thumb('desert-caravan'),
      resolution: '704x1280',
    }),
    job(7, 'cancelled', 'Close-up of a hummingbird feeding, slow motion'),
    job(8, 'expired', 'Fireworks over a harbour, reflections on the water'),
  ];
  return {
    config: { authMode: 'dev', paymentsProvider: 'none', retentionHours: 24 },
    plans: [
      { id: 'free', name: 'Free', monthlyCredits: 200, activeJobLimit: null, priceMinor: 0, currency: 'GBP' },
      {
        id: 'starter',
        name: 'Starter',
        monthlyCredits: 2000,
        activeJobLimit: 3,
        priceMinor: 1900,
        currency: 'GBP',
      },
      {
        id: 'pro',
        name: 'Pro',
        monthlyCredits: 10000,
        activeJobLimit: 10,
        priceMinor: 7900,
        currency: 'GBP',
      },
      {
        id: 'enterprise',
        name: 'Enterprise',
        monthlyCredits: 100000,
        activeJobLimit: 50,
        priceMinor: null,
        currency: 'GBP',
      },
    ],
    credits: { balance: 1340, reserved: 100, available: 1240, plan: 'starter' },
    jobs,
    ledger: [
      { id: 'l1', kind: 'reserve', amount: 0, reservedDelta: 50, jobId: id(1), createdAt: ago(37) },
      { id: 'l2', kind: 'reserve', amount: 0, reservedDelta: 50, jobId: id(2), createdAt: ago(74) },
      {
        id: 'l3',
        kind: 'capture',
        amount: -50,
        reservedDelta: -50,
        jobId: id(3),
        reason: null,
        createdAt: ago(100),
      },
      { id: 'l4', kind: 'release', amount: 0, reservedDelta: -50, jobId: id(5), createdAt: ago(180) },
      {
        id: 'l5',
        kind: 'grant',
        amount: 2000,
        jobId: null,
        reason: 'Starter plan, monthly credits',
        createdAt: ago(3000),
      },
      { id: 'l6', kind: 'topup', amount: 500, jobId: null, reason: 'Card payment', createdAt: ago(6000) },
    ],
    apiKeys: [
      { id: 'k1', name: 'render-farm CI', prefix: 'cw_3f9a', createdAt: ago(9000), lastUsedAt: ago(60) },
      { id: 'k2', name: 'Laptop script', prefix: 'cw_81bc', createdAt: ago(20000), lastUsedAt: null },
    ],
    adminUsers: [
      {
        userId: 'alice',
        email: 'alice@example.com',
        plan: 'starter',
        balance: 1340,
        reserved: 100,
        activeJobs: 2,
      },
      { userId: 'bob', email: 'bob@example.com', plan: 'free', balance: 150, reserved: 0, activeJobs: 0 },
      { userId: 'carol', email: null, plan: 'pro', balance: 8420, reserved: 250, activeJobs: 1 },
    ],
    adminStats: {
      jobsByStatus: { queued: 3, running: 2, succeeded: 148, failed: 6, cancelled: 4, expired: 52 },
      creditsByKind: {
        grant: { total: 24000, entries: 40 },
        topup: { total: 3500, entries: 6 },
        reserve: { total: 10650, entries: 213 },
        capture: { total: 9800, entries: 196 },
        release: { total: 600, entries: 12 },
      },
      gpuHourlyCostUsd: 2.5,
      gpuSeconds: 51234,
      gpuCostUsd: 35.58,
    },
  };
}

export function createFixtureApi({ assetBase = '', authMode = 'dev' } = {}) {
  const data = fixtures();
  data.config.authMode = authMode;
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const send = (status, body, headers = {}) => {
      res.writeHead(status, {
        'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
        'access-control-allow-origin': '*',
        'access-control-allow-headers': '*',
        'access-control-allow-methods': 'GET, POST, DELETE',
        ...headers,
      });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') return send(204);
    // The stored file a presigned link would point at: no token, like the object store.
    if (path === '/v1/media-files/sample.mp4') {
      const video = sampleMp4();
      if (!video) return send(404, { title: 'ffmpeg is not installed', status: 404 });
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length });
      return res.end(video);
    }
    const authed = /^Bearer /.test(req.headers.authorization ?? '');
    if (path === '/v1/config') return send(200, data.config);
    if (path === '/v1/plans') return send(200, { items: data.plans });
    if (!authed)
      return send(401, {
        type: 'about:blank',
        title: 'Authentication required',
        status: 401,
        detail: 'Sign in to continue.',
        code: 'UNAUTHENTICATED',
        errors: [],
      });
    const admin = /:admin$/.test(req.headers.authorization ?? '');
    const user = (req.headers.authorization ?? '').replace(/^Bearer dev:/, '').replace(/:admin$/, '');
    const role = admin ? 'admin' : 'user';
    if (path === '/v1/users/init')
      return send(200, { created: false, user: { id: user, role }, credits: data.credits });
    if (path === '/v1/me')
      return send(200, {
        user: { id: user, role, authenticatedBy: 'dev' },
        account: { id: 'acc-1', plan: data.credits.plan, createdAt: ago(90_000) },
        credits: data.credits,
      });
    const media = /^\/v1\/media\/([a-z-]+)\/(thumbnail|video)$/.exec(path);
    if (media) {
      res.writeHead(302, {
        location:
          media[2] === 'video' ? '/v1/media-files/sample.mp4' : `${assetBase}/examples/${media[1]}.svg`,
      });
      return res.end();
    }
    // The person's teams (the header's switcher): their personal team only.
    if (path === '/v1/teams')
      return send(200, {
        items: [
          {
            id: '00000000-0000-4000-8000-000000000001',
            name: 'Personal',
            personal: true,
            organization: null,
            plan: data.credits.plan,
            role: 'owner',
            isDefault: true,
          },
        ],
      });
    if (path === '/v1/credits') return send(200, data.credits);
    if (path === '/v1/credits/ledger') return send(200, { items: data.ledger, nextCursor: null });
    if (path === '/v1/pricing/quote') {
      const perSecond =
        (url.searchParams.get('resolution') ?? '').startsWith('1280') ||
        (url.searchParams.get('resolution') ?? '').startsWith('704')
          ? 10
          : 3;
      return send(200, { credits: perSecond * Number(url.searchParams.get('durationSeconds') ?? 5) });
    }
    if (path === '/v1/jobs' && req.method === 'GET') {
      const status = url.searchParams.get('status');
      const limit = Number(url.searchParams.get('limit') ?? 24);
      const items = data.jobs.filter((job) => !status || job.status === status).slice(0, limit);
      return send(200, { items, nextCursor: null });
    }
    const jobMatch = /^\/v1\/jobs\/([^/]+)(\/events|\/cancel)?$/.exec(path);
    if (jobMatch) {
      const job = data.jobs.find((item) => item.id === jobMatch[1]);
      if (!job)
        return send(404, {
          type: 'about:blank',
          title: 'Not found',
          status: 404,
          detail: 'No such job.',
          code: 'NOT_FOUND',
          errors: [],
        });
      if (jobMatch[2] === '/events') return streamEvents(res, job);
      if (jobMatch[2] === '/cancel') return send(200, { ...job, status: 'cancelled' });
      return send(200, job);
    }
    if (path === '/v1/api-keys' && req.method === 'GET') return send(200, data.apiKeys);
    if (path === '/v1/api-keys' && req.method === 'POST')
      return send(201, {
        id: 'k9',
        name: 'new key',
        prefix: 'cw_9d2e',
        createdAt: new Date().toISOString(),
        key: 'cw_9d2e4b7f0c1a8e6d5b3c2a1f0e9d8c7b',
      });
    if (path.startsWith('/v1/admin/') && !admin)
      return send(403, {
        type: 'about:blank',
        title: 'Not allowed',
        status: 403,
        detail: 'Administrators only.',
        code: 'FORBIDDEN',
        errors: [],
      });
    if (path === '/v1/admin/users') return send(200, { items: data.adminUsers, nextCursor: null });
    if (path === '/v1/admin/jobs') return send(200, { items: data.jobs, nextCursor: null });
    if (path === '/v1/admin/stats') return send(200, data.adminStats);
    if (path === '/v1/admin/timeseries')
      return send(200, timeseries(url.searchParams.get('bucket') ?? 'hour'));
    if (path === '/v1/admin/usage') {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'access-control-allow-origin': '*' });
      return res.end(
        'ChargePeriodStart,ChargePeriodEnd,SubAccountId,SubAccountName,x_UserId,ConsumedQuantity\n',
      );
    }
    if (path === '/v1/admin/credits/grant') return send(200, {});
    return send(404, {
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      detail: `No route ${req.method} ${path}.`,
      code: 'NOT_FOUND',
      errors: [],
    });
  });
}

/** A running job reports progress every half second; others replay their state and end. */
function streamEvents(res, job) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'access-control-allow-origin': '*',
  });
  const send = (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send('status', { jobId: job.id, status: job.status, queuePosition: job.queuePosition ?? null });
  if (job.status !== 'running') return; // queued jobs stay open, waiting
  let step = 21;
  const timer = setInterval(() => {
    step = Math.min(step + 1, 49);
    send('progress', {
      jobId: job.id,
      step,
      totalSteps: 50,
      percent: (step / 50) * 100,
      etaSeconds: (50 - step) * 3,
      queuePosition: null,
    });
  }, 500);
  res.on('close', () => clearInterval(timer));
}

if (process.argv[1]?.endsWith('fixture-api.mjs')) {
  const port = Number(process.env.PORT ?? 3999);
  createFixtureApi({ assetBase: process.env.ASSET_BASE ?? 'http://localhost:4200' }).listen(port, () =>
    console.log(`Fixture API on http://localhost:${port}`),
  );
}
