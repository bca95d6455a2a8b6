// The portal end to end: the production build in Debian's Chromium, against the real API, a CPU
// worker rendering with the tiny model, Postgres, Redis and an S3-protocol server (started once by
// ./support/global-setup.ts). Each scenario is a person's task, checked by what they would see and
// by what the API says happened.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AdminTimeseries, JobView, Quote } from '@cineweave/contracts';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, launchBrowser, openTab, parseCredits, screenshot, signIn } from './support/portal.ts';
import { FORM_DEFAULTS, SCREENSHOT_DIR } from './support/stack.ts';

const stack = inject('stack');
const admin = new ApiClient(stack.apiUrl, 'e2e-root', true);
const suiteStarted = Date.now();
let browser: Browser;

/** What the API quotes for the portal's default form (draft landscape, the deployment's length). */
async function quoteForDefaults(): Promise<number> {
  const { credits } = await admin.call<Quote>(
    'GET',
    `/v1/pricing/quote?resolution=640x352&durationSeconds=${FORM_DEFAULTS.durationSeconds}`,
  );
  return credits;
}

async function textOf(page: Page, testId: string): Promise<string> {
  return (
    (await page
      .getByTestId(testId)
      .first()
      .textContent({ timeout: 5_000 })
      .catch(() => null)) ?? ''
  );
}

/** Waits for the job page's player, then checks the browser really decoded and played the video. */
async function expectVideoPlays(page: Page): Promise<{ width: number; height: number; duration: number }> {
  await page.getByTestId('video-player').waitFor({ timeout: 150_000 });
  await page.waitForFunction(
    () => {
      const video = document.querySelector('video');
      return !!video && video.readyState >= 2 && video.duration > 0;
    },
    undefined,
    { timeout: 30_000 },
  );
  const played = await page.evaluate(async () => {
    const video = document.querySelector('video') as HTMLVideoElement;
    video.muted = true;
    await video.play();
    const started = Date.now();
    while (video.currentTime === 0 && Date.now() - started < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    video.pause();
    return {
      readyState: video.readyState,
      currentTime: video.currentTime,
      duration: video.duration,
      width: video.videoWidth,
      height: video.videoHeight,
      error: video.error?.message ?? null,
    };
  });
  expect(played.error).toBeNull();
  expect(played.readyState).toBeGreaterThanOrEqual(2);
  expect(played.duration).toBeGreaterThan(0);
  expect(played.currentTime).toBeGreaterThan(0);
  return played;
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('CineWeave portal in Chromium (real API, CPU worker, tiny model)', () => {
  it('should show the API credits, render a text-to-video job live, play and download it, and charge the quoted price', async () => {
    const alice = new ApiClient(stack.apiUrl, 'e2e-alice');
    const { context, page, errors } = await openTab(browser, stack.portalUrl);
    try {
      for (const [path, name] of [
        ['/', 'landing'],
        ['/sign-up', 'sign-up'],
        ['/sign-in', 'sign-in'],
      ]) {
        await page.goto(path);
        await screenshot(page, name);
      }

      await signIn(page, alice.userId);
      const start = await alice.credits();
      expect(start.available).toBeGreaterThan(0);
      await expect
        .poll(async () => parseCredits(await textOf(page, 'credits-available')), { timeout: 10_000 })
        .toBe(start.available);
      expect(await page.locator('#quick-heading + p').textContent()).toContain('Draft landscape, 1 second,');
      await screenshot(page, 'dashboard');

      await page.locator('#main').getByRole('link', { name: 'New video' }).click();
      await page.waitForURL('**/create');
      await page.locator('#prompt').fill('A red fox running through fresh snow, low angle, golden hour');
      // A few more steps than the deployment's default, so the progress bar has steps to show.
      await page.locator('details > summary').click();
      await page.locator('#steps').fill('8');
      const quoted = await quoteForDefaults();
      await expect
        .poll(async () => parseCredits(await textOf(page, 'price')), { timeout: 10_000 })
        .toBe(quoted);
      const shownPrice = parseCredits(await textOf(page, 'price'));
      expect(await page.locator('aside').textContent()).toContain('640×352');
      // The stack serves the tiny random-weight model: it is the one chosen, and the page says its
      // videos are noise, linking the guide (served with the portal) on installing real weights.
      expect(await page.getByTestId('model-select').inputValue()).toBe('wan2.2-tiny-test');
      expect(await textOf(page, 'test-model-notice')).toContain('Test model: videos are noise');
      const guide = await page.getByTestId('real-weights-link').getAttribute('href');
      expect(guide).toBe('/guide/deployment.md');
      const guideAnswer = await fetch(new URL(guide!, stack.portalUrl));
      expect(guideAnswer.status).toBe(200);
      expect(await guideAnswer.text()).toContain('## The model directory');
      await screenshot(page, 'create');

      const submit = page.getByRole('button', { name: 'Create video' });
      expect(await submit.isEnabled()).toBe(true);
      await submit.click();
      await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/, { timeout: 15_000 });
      const jobId = page.url().split('/').at(-1) as string;

      const submitted = Date.now();
      // Rendering, part way: the bar has left 0.
      await page.waitForFunction(
        () => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) > 0,
        undefined,
        { timeout: 90_000 },
      );
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'job-running.png'), fullPage: true });

      const played = await expectVideoPlays(page);
      expect(played).toMatchObject({ width: 640, height: 352 });
      // The bar moved while the user watched: several values, and the step count reached the end.
      const progress = await page.evaluate(
        () => (window as unknown as { __cwProgress: string[] }).__cwProgress,
      );
      console.log(
        `Rendered and playing ${Date.now() - submitted} ms after submit; the bar showed ${progress.join(', ')}`,
      );
      expect(
        new Set(progress.map((entry) => entry.split('|')[0])).size,
        progress.join(', '),
      ).toBeGreaterThanOrEqual(2);
      expect(
        new Set(progress.map((entry) => entry.split('|')[1])).size,
        progress.join(', '),
      ).toBeGreaterThanOrEqual(2);
      // Past the last step the page named what the worker did next, instead of sitting at 100 %.
      const stages = await page.evaluate(() => (window as unknown as { __cwStages: string[] }).__cwStages);
      console.log(`The job page named the stages ${stages.join(', ')}`);
      expect(stages, stages.join(', ')).toContain('Denoising…');
      expect(
        stages.some((stage) => ['Decoding…', 'Encoding…', 'Signing…', 'Uploading…'].includes(stage)),
        stages.join(', '),
      ).toBe(true);
      // The Content Credentials the worker signed into the MP4, as GET /v1/jobs/:id reports them
      // (the e2e worker makes a test chain at start: its signer is untrusted).
      await page.getByTestId('content-credentials').waitFor({ timeout: 15_000 });
      expect((await textOf(page, 'credentials-signer')).trim()).toBe('CineWeave test signer (untrusted)');
      expect((await textOf(page, 'credentials-model')).trim()).toBe('wan2.2-tiny-test');
      expect((await textOf(page, 'job-model')).replace(/\s+/g, ' ').trim()).toBe(
        'wan2.2-tiny-test · quality',
      );
      expect((await textOf(page, 'credentials-created')).trim()).toMatch(/\d{2}:\d{2}/);
      expect((await textOf(page, 'credentials-validation')).trim()).toBe('Verified, untrusted signer');
      await screenshot(page, 'job-done');

      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 15_000 }),
        page.getByTestId('download').click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^cineweave-[0-9a-f]{8}\.mp4$/);
      const file = readFileSync(await download.path());
      expect(file.length).toBeGreaterThan(2_000);
      expect(file.subarray(4, 8).toString('latin1')).toBe('ftyp');
      // The C2PA manifest store (a JUMBF box labelled "c2pa") travels inside the downloaded MP4.
      expect(file.includes(Buffer.from('c2pa.actions'))).toBe(true);

      // Charged exactly the price shown before submit, and nothing left reserved.
      await expect
        .poll(() => alice.credits(), { timeout: 10_000 })
        .toMatchObject({
          balance: start.balance - shownPrice,
          reserved: start.reserved,
        });
      const job = await alice.call<JobView>('GET', `/v1/jobs/${jobId}`);
      expect(job).toMatchObject({ status: 'succeeded', creditsCharged: shownPrice });
      await expect
        .poll(async () => parseCredits(await textOf(page, 'credits-pill')), { timeout: 10_000 })
        .toBe(start.available - shownPrice);

      await page.getByRole('link', { name: 'My videos' }).first().click();
      await page.waitForURL('**/jobs');
      await page.locator(`a[href="/jobs/${jobId}"]`).first().waitFor();
      await screenshot(page, 'jobs');

      await page.getByRole('link', { name: 'Account', exact: true }).first().click();
      await page.waitForURL('**/account');
      await expect
        .poll(async () => parseCredits(await textOf(page, 'account-available')), { timeout: 10_000 })
        .toBe(start.available - shownPrice);
      await screenshot(page, 'account');

      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('should upload an image by file picker and by drop, preview it, and turn it into a playable video', async () => {
    const dana = new ApiClient(stack.apiUrl, 'e2e-dana');
    const { context, page, errors } = await openTab(browser, stack.portalUrl);
    try {
      const picked = await sharp({
        create: { width: 480, height: 272, channels: 3, background: { r: 30, g: 120, b: 200 } },
      })
        .png()
        .toBuffer();
      const dropped = await sharp({
        create: { width: 400, height: 240, channels: 3, background: { r: 220, g: 90, b: 40 } },
      })
        .png()
        .toBuffer();

      await signIn(page, dana.userId);
      await page.goto('/create');
      const preview = page.getByAltText('Preview of the chosen image');

      // The file picker.
      await page
        .locator('#image')
        .setInputFiles({ name: 'harbour.png', mimeType: 'image/png', buffer: picked });
      await preview.waitFor();
      await page.getByText('Uploaded · 480×272').waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: 'Remove image' }).click();
      await preview.waitFor({ state: 'detached' });

      // The drop zone.
      const dataTransfer = await page.evaluateHandle((base64) => {
        const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], 'sunset.png', { type: 'image/png' }));
        return transfer;
      }, dropped.toString('base64'));
      await page.locator('label[for="image"]').dispatchEvent('drop', { dataTransfer });
      await preview.waitFor();
      await page.getByText('Uploaded · 400×240').waitFor({ timeout: 15_000 });
      expect(await preview.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth)).toBe(
        400,
      );
      expect(await page.locator('aside').textContent()).toContain('Image to video');

      await page.locator('#prompt').fill('The sunset colours drift slowly across the frame');
      const submit = page.getByRole('button', { name: 'Create video' });
      await expect.poll(() => submit.isEnabled(), { timeout: 10_000 }).toBe(true);
      await submit.click();
      await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/, { timeout: 15_000 });
      const jobId = page.url().split('/').at(-1) as string;

      const played = await expectVideoPlays(page);
      // The image's shape decides the video's: landscape, within the draft size.
      expect(played.width).toBeGreaterThan(played.height);
      expect(played.width * played.height).toBeLessThanOrEqual(640 * 352);
      expect(await page.locator('aside').textContent()).toContain('Image to video');
      const job = await dana.call<JobView>('GET', `/v1/jobs/${jobId}`);
      expect(job.status).toBe('succeeded');
      expect(job.imageUploadId).toBeTruthy();

      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('should tell a user without enough credits why they cannot create, keep the buttons disabled and create nothing', async () => {
    const carol = new ApiClient(stack.apiUrl, 'e2e-carol');
    await carol.call('POST', '/v1/users/init');
    const quoted = await quoteForDefaults();
    const initial = await carol.credits();
    // Leave one credit less than the cheapest video the form offers.
    await admin.call('POST', '/v1/admin/credits/grant', {
      userId: carol.userId,
      amount: quoted - 1 - initial.available,
      reason: 'e2e: leave less than one draft',
    });
    const before = await carol.credits();
    expect(before.available).toBe(quoted - 1);

    const { context, page, errors } = await openTab(browser, stack.portalUrl);
    try {
      await signIn(page, carol.userId);
      await page.goto('/create');
      await page.locator('#prompt').fill('A lighthouse in a storm');
      await expect
        .poll(() => textOf(page, 'blocked-reason'), { timeout: 10_000 })
        .toContain(`Not enough credits: this video costs ${quoted} credits and you have ${quoted - 1}`);
      const submit = page.getByRole('button', { name: 'Create video' });
      expect(await submit.isDisabled()).toBe(true);
      expect(await page.getByRole('link', { name: 'Top up credits' }).count()).toBeGreaterThan(0);
      // Submitting the form anyway (Enter in a field) sends nothing.
      await page.locator('#negative-prompt').press('Enter');
      await page.waitForTimeout(1_000);
      expect(page.url()).toMatch(/\/create$/);

      // The dashboard's quick create says the same.
      await page.getByRole('link', { name: 'Dashboard' }).first().click();
      await page.locator('#quick-prompt').fill('A lighthouse in a storm');
      const quick = page.getByRole('button', { name: /^Create/ });
      await expect.poll(() => quick.isDisabled(), { timeout: 10_000 }).toBe(true);
      await expect
        .poll(async () => (await page.locator('#quick-reason').textContent()) ?? '', { timeout: 10_000 })
        .toContain('Not enough credits');

      expect(await carol.jobs()).toEqual([]);
      expect(await carol.credits()).toEqual(before);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("should show credits an admin grants on another user's open dashboard within seconds, without a reload", async () => {
    const bob = new ApiClient(stack.apiUrl, 'e2e-bob');
    const bobTab = await openTab(browser, stack.portalUrl);
    const adminTab = await openTab(browser, stack.portalUrl);
    try {
      await signIn(bobTab.page, bob.userId);
      const before = await bob.credits();
      await expect
        .poll(async () => parseCredits(await textOf(bobTab.page, 'credits-available')), { timeout: 10_000 })
        .toBe(before.available);
      // Survives only if the page is never reloaded.
      await bobTab.page.evaluate(() => ((window as unknown as { __cwMark: string }).__cwMark = 'same page'));

      await signIn(adminTab.page, admin.userId, { admin: true });
      await adminTab.page.getByRole('link', { name: 'Admin' }).first().click();
      await adminTab.page.waitForURL('**/admin');
      await screenshot(adminTab.page, 'admin');
      await adminTab.page.locator('#grant-user').fill(bob.userId);
      await adminTab.page.locator('#grant-amount').fill('250');
      await adminTab.page.locator('#grant-reason').fill('e2e pilot customer bonus');
      await adminTab.page.getByRole('button', { name: 'Grant', exact: true }).click();
      await adminTab.page.getByText(`Granted 250 credits to ${bob.userId}.`).waitFor({ timeout: 10_000 });
      const granted = Date.now();
      expect((await bob.credits()).available).toBe(before.available + 250);
      // The admin's own table of balances is re-read too.
      await expect
        .poll(async () => (await adminTab.page.locator('tr', { hasText: bob.userId }).textContent()) ?? '', {
          timeout: 5_000,
        })
        .toContain(String(before.balance + 250));

      // Bob's open dashboard catches up on its own.
      await expect
        .poll(async () => parseCredits(await textOf(bobTab.page, 'credits-available')), {
          timeout: 7_000,
          interval: 200,
        })
        .toBe(before.available + 250);
      console.log(`Granted credits showed on the open dashboard after ${Date.now() - granted} ms`);
      expect(await bobTab.page.evaluate(() => (window as unknown as { __cwMark?: string }).__cwMark)).toBe(
        'same page',
      );
      expect(parseCredits(await textOf(bobTab.page, 'credits-pill'))).toBe(before.available + 250);

      expect(bobTab.errors).toEqual([]);
      expect(adminTab.errors).toEqual([]);
    } finally {
      await bobTab.context.close();
      await adminTab.context.close();
    }
  });

  it("should draw the admin overview's activity charts, each with a table of the API's numbers", async () => {
    const tab = await openTab(browser, stack.portalUrl);
    try {
      await signIn(tab.page, admin.userId, { admin: true });
      await tab.page.goto(`${stack.portalUrl}/admin`);
      for (const id of ['jobs', 'gpu', 'credits', 'queue']) {
        // The charts' chunk and the API's answer come after the page: generous on a loaded machine.
        await tab.page.getByTestId(`chart-${id}`).locator('canvas').waitFor({ timeout: 60_000 });
      }
      // Chart.js really painted: the jobs canvas has a size and coloured pixels, and says what it shows.
      const jobsCanvas = tab.page.getByTestId('chart-jobs').locator('canvas');
      await expect
        .poll(() =>
          jobsCanvas.evaluate((canvas: HTMLCanvasElement) => {
            const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
            let painted = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
            return canvas.width > 0 && canvas.height > 0 ? painted : 0;
          }),
        )
        .toBeGreaterThan(1_000);
      expect(await jobsCanvas.getAttribute('aria-label')).toMatch(
        /^Stacked bar chart of the jobs created each hour/,
      );
      await screenshot(tab.page, 'admin-charts');

      // The page asked for the last 7 days in hours, as the API's defaults do; nothing runs meanwhile.
      const api = await admin.call<AdminTimeseries>('GET', '/v1/admin/timeseries');
      const number = (cell: string) => Number(cell.replace(/,/g, ''));
      const rowsOf = async (id: string) => {
        const panel = tab.page.getByTestId(`chart-${id}`);
        await panel.locator('summary').click();
        const table = panel.getByTestId(`chart-table-${id}`);
        await table.waitFor();
        return table
          .locator('tbody tr')
          .evaluateAll((rows) =>
            rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent!.trim())),
          );
      };

      const jobRows = await rowsOf('jobs');
      expect(jobRows).toHaveLength(api.jobs.length);
      const apiJobs = api.jobs.reduce(
        (sum, bucket) => sum + Object.values(bucket.byStatus).reduce((a, b) => a + b, 0),
        0,
      );
      // Every job of the scenarios before this one is in the table.
      expect(jobRows.reduce((sum, row) => sum + number(row.at(-1)!), 0)).toBe(apiJobs);

      const creditRows = await rowsOf('credits');
      expect(creditRows.map((row) => row.slice(1).map(number))).toEqual(
        api.credits.map((day) => [day.granted, day.toppedUp, day.captured]),
      );
      // Sign-up grants of today, at least, are in today's row.
      expect(number(creditRows.at(-1)![1]!)).toBeGreaterThan(0);
      expect(tab.errors).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });

  it('should have saved a screenshot of every page in this run', () => {
    const pages = [
      'landing',
      'sign-in',
      'sign-up',
      'dashboard',
      'create',
      'job-running',
      'job-done',
      'jobs',
      'account',
      'admin',
    ];
    const stale = pages.filter((name) => {
      try {
        return statSync(join(SCREENSHOT_DIR, `${name}.png`)).mtimeMs < suiteStarted;
      } catch {
        return true;
      }
    });
    expect(stale).toEqual([]);
  });
});
