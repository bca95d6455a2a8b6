// Webhooks settings in the portal, in Chromium against the real API: a person adds an endpoint
// (the secret shown once), sends a test and sees it in the delivery log, redelivers it, and sees
// why an endpoint whose receiver keeps failing was disabled. The receivers are real HTTP servers
// on loopback (the stack's SSRF_ALLOW_CIDRS lets the API reach them); messages are verified with
// the `standardwebhooks` library a customer would use.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { List, WebhookEndpointView } from '@cineweave/contracts';
import type { Browser } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, launchBrowser, openTab, screenshot, signIn } from './support/portal.ts';

const stack = inject('stack');
let browser: Browser;

interface Receiver {
  url: string;
  received: { headers: IncomingHttpHeaders; body: string }[];
  server: Server;
}

async function startReceiver(status: number): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response
        .writeHead(status, { 'content-type': 'text/plain' })
        .end(status < 300 ? 'ok' : 'down for maintenance');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, server };
}

const receivers: Receiver[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  for (const receiver of receivers) {
    receiver.server.closeAllConnections();
    await new Promise((resolve) => receiver.server.close(resolve));
  }
});

describe('Webhooks settings in Chromium (real API)', () => {
  it('should add an endpoint with its secret shown once, log a signed test delivery, redeliver it and show why a failing endpoint was disabled', async () => {
    const healthy = await startReceiver(200);
    const failing = await startReceiver(503);
    receivers.push(healthy, failing);
    const user = 'e2e-webhooks';
    const api = new ApiClient(stack.apiUrl, user);
    const { page, context, errors } = await openTab(browser, stack.portalUrl);
    try {
      await signIn(page, user);
      await page.goto('/account');
      await page.getByTestId('webhooks-link').click();
      await page.waitForURL('**/account/webhooks');
      await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();

      // Add: only two events, the secret is shown once.
      await page.locator('#webhook-url').fill(healthy.url);
      await page.locator('#webhook-description').fill('render pipeline');
      for (const label of [
        'Job queued',
        'Job started',
        'Job progress (every 10 %)',
        'Job cancelled',
        'Credits running low',
      ]) {
        await page.getByLabel(label).uncheck();
      }
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = await page.getByTestId('new-webhook-secret').inputValue();
      expect(secret).toMatch(/^whsec_/);
      const [listed] = await api
        .call<List<WebhookEndpointView>>('GET', '/v1/webhooks')
        .then((answer) => answer.items);
      expect(listed.eventTypes).toEqual(['job.succeeded', 'job.failed']);
      await page.getByRole('button', { name: 'Done' }).click();
      // count() does not wait: wait for the secret to leave the page (slow under a loaded CI machine).
      await page.getByTestId('new-webhook-secret').waitFor({ state: 'detached' });
      await page.reload();
      await page.getByTestId('webhook-endpoint').first().waitFor();
      await expect(page.getByTestId('new-webhook-secret').count()).resolves.toBe(0);
      expect(await page.content()).not.toContain(secret);

      // A test message reaches the receiver, verifies with the secret, and is logged.
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.getByTestId('webhook-delivery-status').first().filter({ hasText: 'succeeded' }).waitFor();
      await expect(page.getByTestId('webhook-deliveries').textContent()).resolves.toContain('HTTP 200');
      expect(healthy.received).toHaveLength(1);
      const headers = (index: number) => ({
        'webhook-id': String(healthy.received[index].headers['webhook-id']),
        'webhook-timestamp': String(healthy.received[index].headers['webhook-timestamp']),
        'webhook-signature': String(healthy.received[index].headers['webhook-signature']),
      });
      expect(new Webhook(secret).verify(healthy.received[0].body, headers(0))).toMatchObject({
        type: 'webhook.test',
      });
      await screenshot(page, 'webhooks');

      // Redeliver from the log: the same message again, as a second logged delivery.
      await page.getByRole('button', { name: 'Redeliver' }).first().click();
      await expect.poll(() => healthy.received.length, { timeout: 10_000 }).toBe(2);
      expect(headers(1)['webhook-id']).toBe(headers(0)['webhook-id']);
      new Webhook(secret).verify(healthy.received[1].body, headers(1));
      await expect.poll(() => page.getByTestId('webhook-delivery').count(), { timeout: 10_000 }).toBe(2);

      // An endpoint whose receiver keeps answering 503 is disabled after the configured run (3).
      await page.locator('#webhook-url').fill(failing.url);
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByTestId('new-webhook-secret').waitFor();
      await page.getByRole('button', { name: 'Done' }).click();
      const failingCard = page.getByTestId('webhook-endpoint').filter({ hasText: failing.url });
      await failingCard.getByRole('button', { name: 'Send test' }).click();
      await page.getByTestId('webhooks-disabled-notice').waitFor({ timeout: 20_000 });
      await expect(failingCard.getByTestId('webhook-state').textContent()).resolves.toContain('Disabled');
      await expect(failingCard.getByTestId('webhook-disabled-reason').textContent()).resolves.toMatch(
        /3 failed attempts in a row.*HTTP 503/,
      );
      expect(failing.received).toHaveLength(3);
      await screenshot(page, 'webhooks-disabled');

      // Enabling it again clears the notice.
      await failingCard.getByRole('button', { name: 'Enable' }).click();
      await expect
        .poll(() => page.getByTestId('webhooks-disabled-notice').count(), { timeout: 10_000 })
        .toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
