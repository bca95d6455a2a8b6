import { join } from 'node:path';
import type { CreditsSummary, JobView, Page as ApiPage } from '@cineweave/contracts';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SCREENSHOT_DIR } from './stack.ts';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A browser context with one tab on the portal, recording every page error and console error. */
export interface PortalTab {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors seen so far: a scenario ends with none. */
  errors: string[];
}

export async function openTab(browser: Browser, portalUrl: string): Promise<PortalTab> {
  const context = await browser.newContext({
    baseURL: portalUrl,
    viewport: { width: 1366, height: 900 },
    deviceScaleFactor: 1,
    reducedMotion: 'reduce',
    acceptDownloads: true,
  });
  // Every value the progress bar shows, as the user would have seen it (the job may be quick).
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cwProgress: string[] }).__cwProgress = seen;
    // And every stage the job page named ("Denoising…", "Encoding…", "Uploading…").
    const stages: string[] = [];
    (window as unknown as { __cwStages: string[] }).__cwStages = stages;
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll('[role="progressbar"][aria-valuenow]')) {
        const value = `${bar.getAttribute('aria-valuenow')}|${bar.getAttribute('aria-valuetext') ?? ''}`;
        if (seen.at(-1) !== value) seen.push(value);
      }
      const stage = document.querySelector('[data-testid="stage"]')?.textContent?.split('·')[0]?.trim();
      if (stage && stages.at(-1) !== stage) stages.push(stage);
    }).observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['aria-valuenow', 'aria-valuetext'],
    });
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { context, page, errors };
}

/** Signs in through the dev sign-in form, as a person on the local stack does. */
export async function signIn(page: Page, userId: string, { admin = false } = {}): Promise<void> {
  await page.goto('/sign-in');
  await page.locator('#dev-user-id').fill(userId);
  if (admin) await page.getByLabel('Sign in as an administrator').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/dashboard');
}

/** Waits until the page has its heading and nothing is loading, then saves a full-page shot. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.locator('main h1').first().waitFor({ state: 'attached', timeout: 30_000 });
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, {
    timeout: 15_000,
  });
  // Let the last fetches land and the fade-ins finish; shoot from the top, where the sticky header belongs.
  await page.waitForTimeout(300);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** "1,234 credits" → 1234; "—" → NaN. */
export function parseCredits(text: string | null): number {
  return Number((text ?? '').replace(/[^\d-]/g, '') || Number.NaN);
}

/** The API as one dev user, for arranging a scenario and checking outcomes behind the browser's back. */
export class ApiClient {
  constructor(
    private readonly apiUrl: string,
    readonly userId: string,
    private readonly admin = false,
  ) {}

  get authorization(): string {
    return `Bearer dev:${this.userId}${this.admin ? ':admin' : ''}`;
  }

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { Authorization: this.authorization, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  credits(): Promise<CreditsSummary> {
    return this.call<CreditsSummary>('GET', '/v1/credits');
  }

  async jobs(): Promise<JobView[]> {
    return (await this.call<ApiPage<JobView>>('GET', '/v1/jobs')).items;
  }
}
