import { join } from 'node:path';

/** Where the suite's stack answers, handed from the global setup to the specs. */
export interface StackInfo {
  /** The portal's server: the built portal, with the API proxied on the same origin. */
  portalUrl: string;
  /** The API itself, for arranging and checking what the browser cannot see. */
  apiUrl: string;
  s3Endpoint: string;
  /** The API's environment (all but PORT), for a scenario that runs a second API beside it. */
  apiEnv: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/** The workspace root: builds and the portal's files are found from here. */
export const WORKSPACE_ROOT = join(import.meta.dirname, '..', '..', '..', '..');

/** The built API, which the global setup runs (and the OIDC scenarios run once more). */
export const API_ENTRY = join(WORKSPACE_ROOT, 'services', 'api', 'dist', 'main.js');

/** The production portal build that the portal server serves. */
export const PORTAL_ROOT = join(WORKSPACE_ROOT, 'dist', 'web', 'browser');

/** Free, and below the ephemeral range where a random port once collided (libs/test-support owns the rule). */
export { freePort } from '@cineweave/test-support';

/** The form defaults the API hands the portal: a draft the CPU worker renders in a few seconds. */
export const FORM_DEFAULTS = { quality: 'draft', durationSeconds: 1, steps: 4 } as const;

/** Every page's screenshot from the last run (git-ignored). */
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'screenshots');
