// Teams in Chromium against the real API (#19): an owner creates a team and invites by link; a
// second person, in a browser context of their own, opens the link signed out, signs in, accepts,
// and creates a video that is charged to the team; the owner sees it in the team's usage, on the
// chart and in its table view, and in the member's credits.
import { readFileSync } from 'node:fs';
import { TEAM_HEADER, type JobView, type TeamView } from '@cineweave/contracts';
import pg from 'pg';
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

/** A call acting for a team, as the portal makes it (the team header). */
async function asTeam<T>(client: ApiClient, teamId: string, path: string): Promise<T> {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    headers: { Authorization: client.authorization, [TEAM_HEADER]: teamId },
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${path} for team ${teamId} answered ${response.status}: ${body}`);
  return JSON.parse(body) as T;
}

describe('Teams in Chromium (real API)', () => {
  // Two sign-ins, a render on the CPU worker and the usage page: longer than the suite's default.
  it(
    'should invite by link, let a second person accept and spend the team credits, and show it in the team usage',
    { timeout: 300_000 },
    async () => {
      const suffix = Date.now().toString(36);
      const owner = new ApiClient(stack.apiUrl, `e2e-team-owner-${suffix}`);
      const member = new ApiClient(stack.apiUrl, `e2e-team-member-${suffix}`);
      const admin = new ApiClient(stack.apiUrl, `e2e-team-admin-${suffix}`, true);
      const teamName = `Trailer studio ${suffix}`;

      const ownerTab = await openTab(browser, stack.portalUrl);
      const memberTab = await openTab(browser, stack.portalUrl);
      const db = new pg.Client({ connectionString: stack.apiEnv['DATABASE_URL'] });
      await db.connect();
      try {
        // The owner creates a team from the switcher; the portal switches to it and opens its page.
        const { page } = ownerTab;
        await signIn(page, owner.userId);
        await page.getByTestId('team-switcher').click();
        await page.getByTestId('create-team-link').click();
        await page.waitForURL('**/teams/new');
        await page.getByLabel('Team name').fill(teamName);
        await page.getByTestId('create-team-submit').click();
        await page.waitForURL(/\/teams\/[0-9a-f-]{36}$/, { timeout: 15_000 });
        const teamId = page.url().split('/').at(-1) as string;
        await page.getByRole('heading', { name: teamName, level: 1 }).waitFor();
        expect(await page.getByTestId('current-team').textContent()).toContain(teamName);
        expect((await page.getByTestId('team-role').textContent())?.trim()).toBe('Owner');

        // A new team starts with no credits; an install admin grants some (as the admin area would).
        await admin.call('POST', `/v1/admin/teams/${teamId}/credits`, { amount: 500, reason: 'teams e2e' });

        // Invitation by link, as a member: the link is shown once, absolute, on the portal's origin.
        await page.locator('#invite-role').selectOption('member');
        await page.getByTestId('create-invitation').click();
        const link = await page.getByTestId('invitation-link').inputValue({ timeout: 10_000 });
        expect(link).toMatch(new RegExp(`^${stack.portalUrl}/invite/[A-Za-z0-9_-]{20,}$`));
        await page.getByTestId('pending-invitation').first().waitFor();
        expect(await page.getByTestId('pending-invitation').first().textContent()).toContain(
          'Anyone with the link',
        );
        await screenshot(page, 'team');

        // The second person opens the link signed out: asked to sign in, then brought back to it.
        const other = memberTab.page;
        await other.goto(link);
        await other.getByTestId('invite-sign-in').click();
        await other.waitForURL(/\/sign-in\?returnUrl=%2Finvite%2F/);
        await other.locator('#dev-user-id').fill(member.userId);
        await other.getByRole('button', { name: 'Sign in' }).click();
        await other.waitForURL('**/invite/**');
        await other.getByTestId('invitation-team').waitFor({ timeout: 10_000 });
        expect((await other.getByTestId('invitation-team').textContent())?.trim()).toBe(teamName);
        expect(await other.getByTestId('invitation-role').textContent()).toContain('Member');
        await screenshot(other, 'invitation');
        await other.getByTestId('accept-invitation').click();
        await other.waitForURL('**/dashboard');
        await expect
          .poll(async () => (await other.getByTestId('current-team').textContent())?.trim())
          .toBe(teamName);

        // The dashboard is the team's now: its name, its credits.
        expect(await other.getByTestId('dashboard-team').textContent()).toContain(teamName);
        await expect
          .poll(async () => (await other.getByTestId('credits-available').textContent())?.trim())
          .toBe('500');

        // The member creates a video from the dashboard: it is charged to the team.
        await other.locator('#quick-prompt').fill('A paper boat drifting down a rainy street');
        const create = other.getByRole('button', { name: /^Create/ });
        await expect.poll(() => create.isEnabled(), { timeout: 10_000 }).toBe(true);
        await create.click();
        await other.waitForURL(/\/jobs\/[0-9a-f-]{36}$/, { timeout: 15_000 });
        const jobId = other.url().split('/').at(-1) as string;
        expect(await other.getByTestId('job-team').textContent()).toContain(teamName);

        const { rows } = await db.query<{ account_id: string; user_id: string }>(
          'SELECT account_id, user_id FROM jobs WHERE id = $1',
          [jobId],
        );
        expect(rows).toEqual([{ account_id: teamId, user_id: member.userId }]);

        // The job is the team's: it finishes and is charged there, not to anyone's personal credits.
        let job: JobView | undefined;
        await expect
          .poll(
            async () => {
              job = await asTeam<JobView>(member, teamId, `/v1/jobs/${jobId}`);
              return job.status;
            },
            { timeout: 150_000, interval: 1_000 },
          )
          .toBe('succeeded');
        const charged = job?.creditsCharged as number;
        expect(charged).toBeGreaterThan(0);
        const team = await asTeam<TeamView>(owner, teamId, `/v1/teams/${teamId}`);
        expect(team.credits.balance).toBe(500 - charged);

        // The owner's team page: the member's credits this month, the chart, and its table view.
        await page.reload();
        await page.getByRole('heading', { name: teamName, level: 1 }).waitFor();
        const memberRow = page.locator(`[data-testid="member-row"][data-user-id="${member.userId}"]`);
        await memberRow.waitFor();
        expect((await memberRow.getByTestId('member-credits').textContent())?.trim()).toBe(String(charged));
        // The chart is the admin area's chart component, reused: Chart.js on a canvas, a table behind "Table".
        const usage = page.getByTestId('team-usage');
        const chart = usage.getByTestId('chart-team-usage');
        await chart.locator('canvas').waitFor();
        expect(await chart.locator('canvas').count()).toBe(1);
        // Chart.js drew on it: the canvas has been sized to its box and is not blank.
        const canvasState = () =>
          chart.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
            const context = canvas.getContext('2d');
            if (!context || canvas.width === 0) return `not sized: ${canvas.width}x${canvas.height}`;
            const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
            const drawn = pixels.some((value, index) => index % 4 === 3 && value > 0);
            return drawn ? 'drawn' : `blank ${canvas.width}x${canvas.height}`;
          });
        await expect.poll(canvasState, { timeout: 10_000 }).toBe('drawn');
        expect(await usage.getByTestId('usage-totals').textContent()).toContain(`${charged} credit`);
        await chart.locator('details > summary').click();
        const today = new Date().toLocaleDateString('en-GB', {
          day: 'numeric',
          month: 'short',
          timeZone: 'UTC',
        });
        const todayRow = usage
          .getByTestId('chart-table-team-usage')
          .locator('tbody tr')
          .filter({ has: page.getByRole('rowheader', { name: today, exact: true }) });
        const cells = (await todayRow.locator('th, td').allTextContents()).map((cell) => cell.trim());
        expect(cells).toEqual([today, '1', String(charged)]);

        // Export CSV: the API's FOCUS CSV of the team's month, with the member's line.
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          usage.getByTestId('usage-export').click(),
        ]);
        expect(download.suggestedFilename()).toMatch(
          /^cineweave-usage-trailer-studio-[a-z0-9-]+-\d{4}-\d{2}\.csv$/,
        );
        const csv = readFileSync((await download.path()) as string, 'utf8')
          .trim()
          .split('\n');
        expect(csv[0]).toMatch(/^ChargePeriodStart,/);
        expect(csv).toHaveLength(2);
        expect(csv[1]).toContain(teamId);
        await screenshot(page, 'team-usage');

        expect(ownerTab.errors).toEqual([]);
        expect(memberTab.errors).toEqual([]);
      } finally {
        await db.end();
        await ownerTab.context.close();
        await memberTab.context.close();
      }
    },
  );
});
