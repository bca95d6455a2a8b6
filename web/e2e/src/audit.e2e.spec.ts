// The admin audit log in Chromium against the real API: actions taken through the API appear as
// rows, the filters narrow them, and the CSV export downloads the API's CSV for those filters.
import { readFileSync } from 'node:fs';
import type { CreatedApiKey } from '@cineweave/contracts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, launchBrowser, openTab, screenshot, signIn } from './support/portal.ts';

const stack = inject('stack');
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('Audit log in Chromium (real API)', () => {
  it('should list audit rows, filter them by action and actor, and export the filtered rows as CSV', async () => {
    const admin = new ApiClient(stack.apiUrl, 'e2e-auditor', true);
    const member = new ApiClient(stack.apiUrl, 'e2e-audited');
    await member.call('POST', '/v1/users/init');
    await admin.call('POST', '/v1/admin/credits/grant', {
      userId: member.userId,
      amount: 25,
      reason: 'audit e2e',
    });
    const key = await member.call<CreatedApiKey>('POST', '/v1/api-keys', { name: 'audit-e2e' });

    const { page, context, errors } = await openTab(browser, stack.portalUrl);
    try {
      await signIn(page, admin.userId, { admin: true });
      await page.goto('/admin');
      await page.getByTestId('audit-link').click();
      await page.waitForURL('**/admin/audit');
      await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
      await page.getByTestId('audit-row').first().waitFor();
      const actions = await page.getByTestId('audit-action').allTextContents();
      expect(actions).toEqual(
        expect.arrayContaining(['credits.granted', 'api-key.created', 'admin.signed-in']),
      );
      await screenshot(page, 'admin-audit');

      // Filter: only this member's key creation.
      await page.locator('#audit-action').selectOption('api-key.created');
      await page.locator('#audit-actor').fill(member.userId);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForFunction(() =>
        [...document.querySelectorAll('[data-testid="audit-action"]')].every(
          (cell) => cell.textContent?.trim() === 'api-key.created',
        ),
      );
      const rows = page.getByTestId('audit-row');
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain(key.id);

      // Export: the API's CSV for the same filters, downloaded by the browser.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('audit-export').click(),
      ]);
      expect(download.suggestedFilename()).toBe('cineweave-audit.csv');
      const csv = readFileSync((await download.path()) as string, 'utf8')
        .trim()
        .split('\n');
      expect(csv[0]).toMatch(/^seq,occurredAt,actorType,actorId,action,targetType,targetId,before,after/);
      expect(csv).toHaveLength(2);
      expect(csv[1]).toContain(`api-key.created,api-key,${key.id}`);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('should not show the audit log to someone who is not an admin', async () => {
    const { page, context } = await openTab(browser, stack.portalUrl);
    try {
      await signIn(page, 'e2e-not-admin');
      await page.goto('/admin/audit');
      await page.waitForURL((url) => !url.pathname.startsWith('/admin'));
      expect(await page.getByTestId('audit-table').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
