import { TEAM_HEADER, WEBHOOK_EVENT_TYPES, WebhookMessageSchema } from '@cineweave/contracts';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookDispatcher } from '../src/modules/webhooks/webhook-dispatcher.service.ts';
import { signMessage } from '../src/modules/webhooks/webhook-signing.ts';
import { FakeGpuWorker, type Harness, dev, eventually, startHarness } from './support/harness.ts';
import { type ReceivedWebhook, WebhookReceiver } from './support/webhook-receiver.ts';

const DRAFT = { prompt: 'a lantern drifting down a river', resolution: '640x352', durationSeconds: 1 };
const headersOf = (hook: ReceivedWebhook) => ({
  'webhook-id': String(hook.headers['webhook-id']),
  'webhook-timestamp': String(hook.headers['webhook-timestamp']),
  'webhook-signature': String(hook.headers['webhook-signature']),
});
const verify = (secret: string, hook: ReceivedWebhook) =>
  WebhookMessageSchema.parse(new Webhook(secret).verify(hook.body, headersOf(hook)));
const typeOf = (hook: ReceivedWebhook) => (JSON.parse(hook.body) as { type: string }).type;

/** Short backoff, a short timeout and a short run before disabling: set through config only. */
const FAST = {
  SSRF_ALLOW_CIDRS: '127.0.0.0/8',
  WEBHOOK_BACKOFF_BASE_MS: '40',
  WEBHOOK_BACKOFF_MAX_MS: '200',
  WEBHOOK_TIMEOUT_MS: '400',
  WEBHOOK_DISABLE_AFTER_FAILURES: '5',
  WEBHOOK_POLL_MS: '50',
  WEBHOOK_ENDPOINT_CONCURRENCY: '2',
};

describe('webhooks', () => {
  let h: Harness;
  let worker: FakeGpuWorker;
  const receivers: WebhookReceiver[] = [];
  const receiver = async () => {
    const started = await new WebhookReceiver().start();
    receivers.push(started);
    return started;
  };

  beforeAll(async () => {
    h = await startHarness('hooks', FAST);
    worker = new FakeGpuWorker(h);
  });
  afterAll(async () => {
    await worker?.close();
    await h?.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  const api = (user: string) => ({
    post: (path: string, body?: object) =>
      request(h.server).post(path).set('Authorization', dev(user)).send(body),
    get: (path: string) => request(h.server).get(path).set('Authorization', dev(user)),
    patch: (path: string, body: object) =>
      request(h.server).patch(path).set('Authorization', dev(user)).send(body),
    delete: (path: string) => request(h.server).delete(path).set('Authorization', dev(user)),
  });

  it('should refuse bad endpoints with problem+json and change nothing', async () => {
    const cases: [object, string][] = [
      [{ url: 'not a url' }, 'url'],
      [{ url: 'ftp://example.com/hook' }, 'url'],
      [{ url: 'https://user:pw@example.com/hook' }, 'url'],
      [{ url: 'https://93.184.215.14/hook', eventTypes: ['job.exploded'] }, 'eventTypes.0'],
      [{ url: 'https://93.184.215.14/hook', eventTypes: [] }, 'eventTypes'],
      [{ url: 'https://93.184.215.14/hook', colour: 'red' }, '(body)'],
    ];
    for (const [body, field] of cases) {
      const answer = await api('bob').post('/v1/webhooks', body).expect(400);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    await api('bob').get('/v1/webhooks/not-a-uuid').expect(400);
    await api('bob').get('/v1/webhooks/00000000-0000-4000-8000-000000000000').expect(404);
    await api('bob').patch('/v1/webhooks/00000000-0000-4000-8000-000000000000', {}).expect(400);
    const { rows } = await h.db.query(`SELECT count(*)::int AS n FROM webhook_endpoints`);
    expect(rows[0].n).toBe(0);
  });

  it('should show the secret once, scope endpoints to their owner, and let the owner change and delete them', async () => {
    const created = await api('carol')
      .post('/v1/webhooks', {
        url: 'https://93.184.215.14/hook',
        description: 'CI',
        eventTypes: ['job.succeeded'],
      })
      .expect(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.body).toMatchObject({ kind: 'endpoint', enabled: true, eventTypes: ['job.succeeded'] });
    const listed = await api('carol').get('/v1/webhooks').expect(200);
    expect(listed.body.items).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    await api('mallory').get(`/v1/webhooks/${created.body.id}`).expect(404);
    await api('mallory').delete(`/v1/webhooks/${created.body.id}`).expect(404);
    const changed = await api('carol')
      .patch(`/v1/webhooks/${created.body.id}`, { eventTypes: ['job.failed', 'job.failed'], enabled: false })
      .expect(200);
    expect(changed.body).toMatchObject({
      eventTypes: ['job.failed'],
      enabled: false,
      disabledReason: 'Disabled by you.',
    });
    await api('carol').delete(`/v1/webhooks/${created.body.id}`).expect(204);
    await api('carol').get(`/v1/webhooks/${created.body.id}`).expect(404);
  });

  it('should deliver every job event signed, with the job view the API returns as payload', async () => {
    const hooks = await receiver();
    const jobEvents = WEBHOOK_EVENT_TYPES.filter((type) => type.startsWith('job.'));
    const endpoint = await api('dana')
      .post('/v1/webhooks', { url: hooks.url(), eventTypes: jobEvents })
      .expect(201);
    const job = (await api('dana').post('/v1/jobs', DRAFT).expect(202)).body;
    const taken = await worker.take();
    expect(taken.id).toBe(job.id);
    await eventually(async () => hooks.received.some((r) => typeOf(r) === 'job.started'));
    // A worker reports a step every few seconds; wait for each, so each lands in its own 10 % band.
    for (let step = 1; step <= 4; step++) {
      await worker.progress(taken, step, 4);
      await eventually(
        async () => hooks.received.filter((r) => typeOf(r) === 'job.progress').length === step,
      );
    }
    await worker.succeed(taken);
    await eventually(async () => hooks.received.some((r) => typeOf(r) === 'job.succeeded'));

    const messages = hooks.received.map((hook) => verify(endpoint.body.secret, hook));
    expect(messages.map((m) => m.type)).toEqual([
      'job.queued',
      'job.started',
      'job.progress',
      'job.progress',
      'job.progress',
      'job.progress',
      'job.succeeded',
    ]);
    const final = await api('dana').get(`/v1/jobs/${job.id}`).expect(200);
    expect(messages.at(-1)?.data).toEqual(final.body);
    expect(messages[0].data).toMatchObject({ id: job.id, status: 'queued' });
    expect(new Set(hooks.received.map((r) => r.headers['webhook-id'])).size).toBe(7);

    // The receiver has answered; the worker records the outcome just after.
    const log = await eventually(async () => {
      const answer = await api('dana').get(`/v1/webhooks/${endpoint.body.id}/deliveries?limit=100`);
      return answer.body.items.every((d: { status: string }) => d.status === 'succeeded')
        ? answer
        : undefined;
    });
    expect(log.body.items).toHaveLength(7);
    expect(log.body.items[0]).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      lastResponseStatus: 204,
      attemptLog: [{ attempt: 1, succeeded: true, responseStatus: 204 }],
    });
  });

  it('should send credits.low once when available credits fall below the threshold', async () => {
    const hooks = await receiver();
    const endpoint = await api('erin')
      .post('/v1/webhooks', { url: hooks.url(), eventTypes: ['credits.low'], creditsLowThreshold: 95 })
      .expect(201);
    await api('erin').post('/v1/jobs', DRAFT).expect(202); // 100 → 97 available
    await api('erin').post('/v1/jobs', DRAFT).expect(202); // 97 → 94: crosses 95
    await api('erin').post('/v1/jobs', DRAFT).expect(202); // 94 → 91: already below
    await eventually(async () => hooks.received.length === 1);
    await h.jobsQueue.drain(true);
    const message = verify(endpoint.body.secret, hooks.received[0]);
    expect(message).toMatchObject({
      type: 'credits.low',
      data: { available: 94, reserved: 6, balance: 100, threshold: 95 },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hooks.received).toHaveLength(1);
  });

  it('should retry a receiver down for 3 attempts and deliver each event exactly once', async () => {
    const hooks = await receiver();
    hooks.answer = (index) => (index < 3 ? 503 : 200);
    const endpoint = await api('frank')
      .post('/v1/webhooks', { url: hooks.url(), eventTypes: ['job.queued', 'job.cancelled'] })
      .expect(201);
    const job = (await api('frank').post('/v1/jobs', DRAFT).expect(202)).body;
    await api('frank').post(`/v1/jobs/${job.id}/cancel`).expect(200);
    await eventually(async () => {
      const log = await api('frank').get(`/v1/webhooks/${endpoint.body.id}/deliveries`);
      return (
        log.body.items.length === 2 &&
        log.body.items.every((d: { status: string }) => d.status === 'succeeded')
      );
    });
    const delivered = hooks.received.filter((r) => r.answered === 200);
    expect(delivered.map(typeOf).sort()).toEqual(['job.cancelled', 'job.queued']);
    expect(hooks.received.filter((r) => r.answered === 503)).toHaveLength(3);
    // Retries carry the same webhook-id and each verifies.
    const ids = new Set(hooks.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(2);
    for (const hook of hooks.received) verify(endpoint.body.secret, hook);
    const log = await api('frank').get(`/v1/webhooks/${endpoint.body.id}/deliveries`).expect(200);
    const attempts = log.body.items.flatMap(
      (d: { attemptLog: { responseStatus: number }[] }) => d.attemptLog,
    );
    expect(attempts.filter((a: { responseStatus: number }) => a.responseStatus === 503)).toHaveLength(3);
    expect((await api('frank').get(`/v1/webhooks/${endpoint.body.id}`)).body.consecutiveFailures).toBe(0);
    await h.jobsQueue.drain(true);
  });

  it('should disable an endpoint that never answers after the configured run, and show why', async () => {
    const hooks = await receiver();
    hooks.answer = () => 'hang';
    const endpoint = await api('gina').post('/v1/webhooks', { url: hooks.url() }).expect(201);
    const test = await api('gina').post(`/v1/webhooks/${endpoint.body.id}/test`).expect(202);
    expect(test.body).toMatchObject({ eventType: 'webhook.test', status: 'pending' });
    const disabled = await eventually(async () => {
      const current = await api('gina').get(`/v1/webhooks/${endpoint.body.id}`);
      return current.body.enabled === false ? current.body : undefined;
    }, 15_000);
    expect(disabled.consecutiveFailures).toBe(5);
    expect(disabled.disabledReason).toContain('5 failed attempts in a row');
    expect(disabled.disabledReason).toContain('no answer within 400 ms');
    expect(hooks.received).toHaveLength(5);
    const log = await api('gina').get(`/v1/webhooks/${endpoint.body.id}/deliveries`).expect(200);
    expect(log.body.items[0]).toMatchObject({ status: 'failed', attempts: 5, lastResponseStatus: null });
    // Disabled: no new deliveries are made, a test or redelivery is refused until it is enabled.
    await api('gina').post(`/v1/webhooks/${endpoint.body.id}/test`).expect(409);
    const enabled = await api('gina')
      .patch(`/v1/webhooks/${endpoint.body.id}`, { enabled: true })
      .expect(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0 });
  });

  it("should send a pending retry to the endpoint's new URL after it was changed", async () => {
    const old = await receiver();
    old.answer = () => 500;
    const fixed = await receiver();
    const endpoint = await api('nico').post('/v1/webhooks', { url: old.url() }).expect(201);
    await api('nico').post(`/v1/webhooks/${endpoint.body.id}/test`).expect(202);
    await eventually(async () => old.received.length >= 1);
    await api('nico')
      .patch(`/v1/webhooks/${endpoint.body.id}`, { url: fixed.url('/v2') })
      .expect(200);
    await eventually(async () => fixed.received.length === 1);
    const log = await eventually(async () => {
      const answer = await api('nico').get(`/v1/webhooks/${endpoint.body.id}/deliveries`);
      return answer.body.items[0]?.status === 'succeeded' ? answer.body.items[0] : undefined;
    });
    expect(log.url).toBe(fixed.url('/v2'));
    expect(log.attemptLog[0]).toMatchObject({ responseStatus: 500, succeeded: false });
  });

  it('should fail verification of a forged or replayed delivery', async () => {
    const hooks = await receiver();
    const endpoint = await api('hana').post('/v1/webhooks', { url: hooks.url() }).expect(201);
    await api('hana').post(`/v1/webhooks/${endpoint.body.id}/test`).expect(202);
    await eventually(async () => hooks.received.length === 1);
    const genuine = hooks.received[0];
    expect(verify(endpoint.body.secret, genuine).type).toBe('webhook.test');

    const other = (await api('hana').post('/v1/webhooks', { url: hooks.url() }).expect(201)).body.secret;
    expect(() => verify(other, genuine)).toThrow(WebhookVerificationError);
    const tampered = { ...genuine, body: genuine.body.replace('test message', 'fake message') };
    expect(() => verify(endpoint.body.secret, tampered)).toThrow(WebhookVerificationError);
    // A replay: the same message signed correctly but 10 minutes ago (the tolerance is 5).
    const old = signMessage(
      String(genuine.headers['webhook-id']),
      genuine.body,
      [endpoint.body.secret],
      new Date(Date.now() - 10 * 60_000),
    );
    expect(() => new Webhook(endpoint.body.secret).verify(old.body, old.headers)).toThrow(/too old/);
  });

  it('should sign with both secrets during a rotation overlap, then only with the new one', async () => {
    const hooks = await receiver();
    const endpoint = await api('ivan').post('/v1/webhooks', { url: hooks.url() }).expect(201);
    const rotated = await api('ivan')
      .post(`/v1/webhooks/${endpoint.body.id}/rotate-secret`, { overlapSeconds: 3600 })
      .expect(200);
    expect(rotated.body.secret).not.toBe(endpoint.body.secret);
    expect(rotated.body.previousSecretExpiresAt).not.toBeNull();
    await api('ivan').post(`/v1/webhooks/${endpoint.body.id}/test`).expect(202);
    await eventually(async () => hooks.received.length === 1);
    expect(String(hooks.received[0].headers['webhook-signature']).split(' ')).toHaveLength(2);
    verify(endpoint.body.secret, hooks.received[0]);
    verify(rotated.body.secret, hooks.received[0]);

    const again = await api('ivan')
      .post(`/v1/webhooks/${endpoint.body.id}/rotate-secret`, { overlapSeconds: 0 })
      .expect(200);
    await api('ivan').post(`/v1/webhooks/${endpoint.body.id}/test`).expect(202);
    await eventually(async () => hooks.received.length === 2);
    verify(again.body.secret, hooks.received[1]);
    expect(() => verify(rotated.body.secret, hooks.received[1])).toThrow(WebhookVerificationError);
    await api('ivan')
      .post(`/v1/webhooks/${endpoint.body.id}/rotate-secret`, { overlapSeconds: -1 })
      .expect(400);
  });

  it('should redeliver a message with the same webhook-id as a new logged delivery', async () => {
    const hooks = await receiver();
    const endpoint = await api('jade').post('/v1/webhooks', { url: hooks.url() }).expect(201);
    const sent = await api('jade').post(`/v1/webhooks/${endpoint.body.id}/test`).expect(202);
    await eventually(async () => hooks.received.length === 1);
    const again = await api('jade')
      .post(`/v1/webhooks/${endpoint.body.id}/deliveries/${sent.body.id}/redeliver`)
      .expect(202);
    expect(again.body.id).not.toBe(sent.body.id);
    expect(again.body.messageId).toBe(sent.body.messageId);
    await eventually(async () => hooks.received.length === 2);
    expect(hooks.received[1].headers['webhook-id']).toBe(hooks.received[0].headers['webhook-id']);
    expect(hooks.received[1].body).toBe(hooks.received[0].body);
    verify(endpoint.body.secret, hooks.received[1]);
    await api('jade')
      .post(`/v1/webhooks/${endpoint.body.id}/deliveries/00000000-0000-4000-8000-000000000000/redeliver`)
      .expect(404);
  });

  it('should send at most WEBHOOK_ENDPOINT_CONCURRENCY requests to one endpoint at once', async () => {
    const hooks = await receiver();
    hooks.delayMs = 150;
    const endpoint = await api('lena').post('/v1/webhooks', { url: hooks.url() }).expect(201);
    for (let i = 0; i < 6; i++) await api('lena').post(`/v1/webhooks/${endpoint.body.id}/test`).expect(202);
    await eventually(async () => {
      const log = await api('lena').get(`/v1/webhooks/${endpoint.body.id}/deliveries`);
      return log.body.items.filter((d: { status: string }) => d.status === 'succeeded').length === 6;
    });
    expect(hooks.received).toHaveLength(6);
    expect(hooks.maxInFlight).toBe(2);
  });

  it('should deliver a pending delivery the queue lost, and drop finished ones past the retention period', async () => {
    const hooks = await receiver();
    const endpoint = await api('mona').post('/v1/webhooks', { url: hooks.url() }).expect(201);
    // A delivery committed but never queued (Redis lost it, or the process died in between).
    await h.db.query(
      `INSERT INTO webhook_deliveries (id, endpoint_id, message_id, event_type, url, payload, next_attempt_at)
       VALUES ('00000000-0000-4000-8000-00000000abcd', $1, 'msg_lost', 'webhook.test', $2,
               '{"type":"webhook.test","timestamp":"2026-01-01T00:00:00.000Z","data":{"message":"lost"}}', now() - interval '1 minute')`,
      [endpoint.body.id, hooks.url()],
    );
    const dispatcher = h.app.get(WebhookDispatcher);
    await dispatcher.sweep();
    await eventually(async () => hooks.received.length === 1);
    expect(hooks.received[0].headers['webhook-id']).toBe('msg_lost');
    verify(endpoint.body.secret, hooks.received[0]);
    await eventually(async () => {
      const { rows } = await h.db.query(
        `SELECT status FROM webhook_deliveries WHERE message_id = 'msg_lost'`,
      );
      return rows[0]?.status === 'succeeded';
    });

    await h.db.query(
      `UPDATE webhook_deliveries SET finished_at = now() - interval '25 hours' WHERE message_id = 'msg_lost'`,
    );
    await dispatcher.expire();
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1`,
      [endpoint.body.id],
    );
    expect(rows[0].n).toBe(0);
  });

  it("should send a job's events to its own webhookUrl, signed with the per-job secret", async () => {
    const hooks = await receiver();
    const refused = await api('kim')
      .post('/v1/jobs', { ...DRAFT, webhookUrl: hooks.url('/job') })
      .expect(422);
    expect(refused.body.errors[0].field).toBe('webhookUrl');
    const identity = await api('kim').post('/v1/webhooks/job-urls').expect(201);
    expect(identity.body).toMatchObject({ kind: 'job-urls', url: null });
    await api('kim').post('/v1/webhooks/job-urls').expect(409);
    const job = (
      await api('kim')
        .post('/v1/jobs', { ...DRAFT, webhookUrl: hooks.url('/job') })
        .expect(202)
    ).body;
    await api('kim').post(`/v1/jobs/${job.id}/cancel`).expect(200);
    await eventually(async () => hooks.received.length === 2);
    // Deliveries to one endpoint run in parallel (WEBHOOK_ENDPOINT_CONCURRENCY): they may arrive in
    // either order, so the events are put in order by their own timestamps.
    const messages = hooks.received
      .map((hook) => verify(identity.body.secret, hook))
      .sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    expect(messages.map((m) => m.type)).toEqual(['job.queued', 'job.cancelled']);
    expect(messages[1].data).toEqual((await api('kim').get(`/v1/jobs/${job.id}`)).body);
    await h.jobsQueue.drain(true);
  });

  it("should send a team's job events to the team's endpoints, which only its admins configure", async () => {
    // The team as its owner makes it: created, members invited by link, credits granted by an admin.
    const created = await api('tess').post('/v1/teams', { name: 'Grading' }).expect(201);
    const team = created.body.id as string;
    for (const [user, role] of [
      ['mo', 'member'],
      ['vic', 'viewer'],
    ]) {
      const invitation = await api('tess').post(`/v1/teams/${team}/invitations`, { role }).expect(201);
      await api(user).post(`/v1/invitations/${invitation.body.token}/accept`).expect(200);
    }
    await api('root-admin')
      .post(`/v1/admin/teams/${team}/credits`, { amount: 500, reason: 'Grading budget' })
      .expect(200);
    const other = (await api('otto').post('/v1/teams', { name: 'Sound' }).expect(201)).body.id as string;
    const inTeam = (user: string, id = team) => ({
      post: (path: string, body?: object) => api(user).post(path, body).set(TEAM_HEADER, id),
      get: (path: string) => api(user).get(path).set(TEAM_HEADER, id),
      patch: (path: string, body: object) => api(user).patch(path, body).set(TEAM_HEADER, id),
    });
    const hooks = await receiver();
    const jobEvents = WEBHOOK_EVENT_TYPES.filter((type) => type.startsWith('job.'));

    // Configuring endpoints and reading deliveries is an admin's job: a viewer and a member are refused.
    const refused = await inTeam('vic')
      .post('/v1/webhooks', { url: hooks.url(), eventTypes: jobEvents })
      .expect(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    await inTeam('mo').post('/v1/webhooks', { url: hooks.url(), eventTypes: jobEvents }).expect(403);
    await inTeam('vic').get('/v1/webhooks').expect(403);
    const endpoint = await inTeam('tess')
      .post('/v1/webhooks', { url: hooks.url(), eventTypes: jobEvents })
      .expect(201);
    const identity = await inTeam('tess').post('/v1/webhooks/job-urls').expect(201);
    // Audited as a change in the team's organization.
    const audited = await h.db.query(
      `SELECT organization_id FROM audit_log WHERE action = 'webhook-endpoint.created' AND target_id = $1`,
      [endpoint.body.id],
    );
    expect(audited.rows).toEqual([{ organization_id: created.body.organization.id }]);
    expect(
      (await inTeam('tess').get('/v1/webhooks').expect(200)).body.items.map((e: { id: string }) => e.id),
    ).toEqual([endpoint.body.id, identity.body.id]);
    // Her personal team is another team: its list does not show the team's endpoints.
    expect((await api('tess').get('/v1/webhooks').expect(200)).body.items).toEqual([]);

    // A member (not the owner) submits for the team: the team's endpoint hears it, signed with its secret.
    const job = (
      await inTeam('mo')
        .post('/v1/jobs', { ...DRAFT, webhookUrl: hooks.url('/job') })
        .expect(202)
    ).body;
    const charged = await h.db.query(`SELECT account_id, user_id FROM jobs WHERE id = $1`, [job.id]);
    expect(charged.rows[0]).toEqual({ account_id: team, user_id: 'mo' });
    await inTeam('mo').post(`/v1/jobs/${job.id}/cancel`).expect(200);
    await eventually(async () => hooks.received.length === 4);
    const verifiedWith = (secret: string) =>
      hooks.received.flatMap((hook) => {
        try {
          return [verify(secret, hook)];
        } catch {
          return [];
        }
      });
    // Two messages signed with the endpoint's secret, two with the team's per-job secret.
    expect(
      verifiedWith(endpoint.body.secret)
        .map((m) => m.type)
        .sort(),
    ).toEqual(['job.cancelled', 'job.queued']);
    expect(
      verifiedWith(identity.body.secret)
        .map((m) => m.type)
        .sort(),
    ).toEqual(['job.cancelled', 'job.queued']);
    expect(verifiedWith(endpoint.body.secret)[0].data).toMatchObject({ id: job.id });
    // The per-job secret is the team's: a job of Mo's personal team has none to be signed with.
    const personal = await api('mo')
      .post('/v1/jobs', { ...DRAFT, webhookUrl: hooks.url('/job') })
      .expect(422);
    expect(personal.body.errors[0].field).toBe('webhookUrl');

    // Another team's endpoint is not found, whatever the caller's role there.
    const theirs = await inTeam('otto', other)
      .post('/v1/webhooks', { url: hooks.url(), eventTypes: jobEvents })
      .expect(201);
    await inTeam('tess').get(`/v1/webhooks/${theirs.body.id}`).expect(404);
    await inTeam('tess').patch(`/v1/webhooks/${theirs.body.id}`, { enabled: false }).expect(404);
    await inTeam('tess').get(`/v1/webhooks/${theirs.body.id}/deliveries`).expect(404);
    await inTeam('tess', other).get('/v1/webhooks').expect(404);
    await h.jobsQueue.drain(true);
  });
});

describe('webhooks without an allow list (SSRF guard)', () => {
  let h: Harness;
  let hooks: WebhookReceiver;

  beforeAll(async () => {
    const { SSRF_ALLOW_CIDRS: _allowList, ...rest } = FAST;
    h = await startHarness('hookssrf', rest);
    hooks = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await h?.close();
    await hooks?.close();
  });

  it('should refuse a loopback or private URL at creation', async () => {
    for (const url of [
      hooks.url(),
      `http://localhost:${hooks.port}/`,
      'http://10.1.2.3/',
      'http://[::1]/',
      'http://169.254.169.254/latest',
    ]) {
      const answer = await request(h.server)
        .post('/v1/webhooks')
        .set('Authorization', dev('olga'))
        .send({ url })
        .expect(422);
      expect(answer.body.errors[0]).toMatchObject({ field: 'url' });
      expect(answer.body.detail).toContain('private, loopback or link-local');
    }
    await request(h.server).post('/v1/webhooks/job-urls').set('Authorization', dev('olga')).expect(201);
    await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev('olga'))
      .send({ ...DRAFT, webhookUrl: hooks.url() })
      .expect(422);
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n FROM webhook_endpoints WHERE kind = 'endpoint'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('should refuse at delivery time, on the connection, a URL that now leads to a private address', async () => {
    // An endpoint whose host resolved to a public address when it was created and to loopback
    // now (DNS rebinding): written straight to the table, as the creation check cannot be fooled here.
    const created = await request(h.server)
      .post('/v1/webhooks')
      .set('Authorization', dev('piet'))
      .send({ url: 'https://93.184.215.14/hook' })
      .expect(201);
    await h.db.query(`UPDATE webhook_endpoints SET url = $2 WHERE id = $1`, [
      created.body.id,
      `http://localhost:${hooks.port}/hooks`,
    ]);
    await request(h.server)
      .post(`/v1/webhooks/${created.body.id}/test`)
      .set('Authorization', dev('piet'))
      .expect(202);
    const attempt = await eventually(async () => {
      const log = await request(h.server)
        .get(`/v1/webhooks/${created.body.id}/deliveries`)
        .set('Authorization', dev('piet'));
      return log.body.items[0]?.attemptLog[0];
    });
    expect(attempt).toMatchObject({ succeeded: false, responseStatus: null });
    expect(attempt.error).toContain('private, loopback or link-local');
    expect(hooks.received).toHaveLength(0);
  });
});
