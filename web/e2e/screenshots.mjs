// Screenshots of every page, desktop and phone, into web/e2e/screenshots/ (git-ignored).
// Serves the production build with a fixture API, or with a real API when API_URL is set.
//   npx nx run web:build && node web/e2e/screenshots.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createPortalServer } from '../server/serve.mjs';
import { createFixtureApi } from './fixture-api.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const out = join(here, 'screenshots');
mkdirSync(out, { recursive: true });

const listen = (server) =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

const portal = createPortalServer({
  root: join(here, '../../dist/web/browser'),
  apiProxyTarget: 'http://127.0.0.1:1',
});
const portalPort = await listen(portal);
const origin = `http://127.0.0.1:${portalPort}`;
let apiUrl = process.env.API_URL;
let api = null;
if (!apiUrl) {
  api = createFixtureApi({ assetBase: origin });
  apiUrl = `http://127.0.0.1:${await listen(api)}`;
}
// Re-create the portal server so it proxies the API on the same origin, as the ingress does.
portal.close();
const sameOrigin = createPortalServer({ root: join(here, '../../dist/web/browser'), apiProxyTarget: apiUrl });
await new Promise((resolve) => sameOrigin.listen(portalPort, '127.0.0.1', resolve));

const jobId = (n) => `6f1c1f9e-8f0a-4b8e-9d55-0a4a7c2b9e${String(n).padStart(2, '0')}`;
const pages = [
  { name: 'landing', path: '/', signedIn: false },
  { name: 'sign-in', path: '/sign-in', signedIn: false },
  { name: 'sign-up', path: '/sign-up', signedIn: false },
  { name: 'dashboard', path: '/dashboard' },
  { name: 'create', path: '/create' },
  { name: 'jobs', path: '/jobs' },
  { name: 'job-running', path: `/jobs/${jobId(1)}`, wait: 1500 },
  { name: 'job-queued', path: `/jobs/${jobId(2)}` },
  { name: 'job-succeeded', path: `/jobs/${jobId(3)}` },
  { name: 'job-failed', path: `/jobs/${jobId(5)}` },
  { name: 'account', path: '/account' },
  { name: 'admin', path: '/admin', admin: true },
  { name: 'not-found', path: '/no-such-page', signedIn: false },
];
const viewports = [
  { suffix: 'desktop', viewport: { width: 1366, height: 900 } },
  { suffix: 'phone', viewport: { width: 390, height: 844 }, isMobile: true },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const problems = [];
const only = process.env.PAGES?.split(',');
try {
  for (const { suffix, viewport, isMobile } of viewports) {
    for (const page of pages.filter((candidate) => !only || only.includes(candidate.name))) {
      const context = await browser.newContext({
        viewport,
        isMobile,
        deviceScaleFactor: 1,
        reducedMotion: 'reduce',
      });
      if (page.signedIn !== false) {
        const session = JSON.stringify({ userId: page.admin ? 'root' : 'alice', admin: !!page.admin });
        await context.addInitScript((value) => localStorage.setItem('cineweave.dev-session', value), session);
      }
      const tab = await context.newPage();
      tab.on('pageerror', (error) => problems.push(`${page.name}: ${error.message}`));
      tab.on('console', (message) => {
        if (message.type() === 'error') problems.push(`${page.name}: ${message.text()}`);
      });
      // Not 'networkidle': live job pages keep their event stream open on purpose.
      await tab.goto(origin + page.path, { waitUntil: 'load' });
      // Ready when the page's heading is there and no section is still loading.
      await tab
        .waitForSelector('main h1', { state: 'attached', timeout: 30_000 })
        .catch(() => problems.push(`${page.name}: no page heading after 30 s`));
      await tab
        .waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, { timeout: 10_000 })
        .catch(() => problems.push(`${page.name}: still loading after 10 s`));
      await tab.waitForTimeout(page.wait ?? 400);
      await tab.screenshot({ path: join(out, `${page.name}-${suffix}.png`), fullPage: true });
      await context.close();
    }
  }
} finally {
  await browser.close();
  sameOrigin.closeAllConnections();
  sameOrigin.close();
  api?.closeAllConnections();
  api?.close();
}
console.log(`Saved screenshots to ${out}`);
if (problems.length) console.log(`Browser errors:\n  ${[...new Set(problems)].join('\n  ')}`);
process.exit(problems.length ? 1 : 0);
