// The moderation policy in Chromium against the real API: an admin blocks a term in the portal, a
// prompt with it is refused with content-policy and costs nothing, and the refusal is listed.
import type { ModerationPolicyView } from '@cineweave/contracts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, launchBrowser, openTab, signIn } from './support/portal.ts';

const stack = inject('stack');
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('Moderation policy in Chromium (real API)', () => {
  it('should save a blocked term, refuse a prompt with it at no cost and list the refusal', async () => {
    const admin = new ApiClient(stack.apiUrl, 'e2e-moderator', true);
    const member = new ApiClient(stack.apiUrl, 'e2e-moderated');
    await member.call('POST', '/v1/users/init');
    const { page, context, errors } = await openTab(browser, stack.portalUrl);
    try {
      await signIn(page, admin.userId, { admin: true });
      await page.goto('/admin');
      await page.getByTestId('moderation-link').click();
      await page.waitForURL('**/admin/moderation');
      await page.getByRole('heading', { name: 'Moderation', level: 1 }).waitFor();
      await page.getByTestId('classifier-status').waitFor();

      // A bad pattern is refused with the field named, and nothing is saved.
      await page.locator('#moderation-patterns').fill('(unclosed');
      await page.getByRole('button', { name: 'Save policy' }).click();
      await page.getByTestId('patterns-error').waitFor();
      const unchanged = await admin.call<ModerationPolicyView>('GET', '/v1/admin/moderation/policy');
      expect(unchanged.patterns).toEqual([]);

      await page.locator('#moderation-patterns').fill('');
      await page.locator('#moderation-terms').fill('volcano');
      await page.getByRole('button', { name: 'Save policy' }).click();
      await page.getByText('Policy saved.').waitFor();
      const saved = await admin.call<ModerationPolicyView>('GET', '/v1/admin/moderation/policy');
      expect(saved.terms).toEqual(['volcano']);

      const before = await member.credits();
      const refused = await fetch(`${stack.apiUrl}/v1/jobs`, {
        method: 'POST',
        headers: { Authorization: member.authorization, 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: 'a volcano at night', resolution: '640x352', durationSeconds: 1 }),
      });
      expect(refused.status).toBe(422);
      expect(await refused.json()).toMatchObject({ code: 'CONTENT_POLICY', categories: ['term'] });
      expect(await member.credits()).toEqual(before);

      await page.reload();
      const row = page.getByTestId('decision-row').first();
      await row.waitFor();
      expect(await row.textContent()).toContain(member.userId);
      expect(await row.textContent()).toContain('refused');
      expect(errors.filter((error) => !error.includes('400'))).toEqual([]);
    } finally {
      await admin.call('PUT', '/v1/admin/moderation/policy', { terms: [] });
      await context.close();
    }
  });
});
