import { join } from 'node:path';

/** Where the suite's stack answers, handed from the global setup to the specs. */
export interface StackInfo {
  /** The portal's server: the built portal, with the API proxied on the same origin. */
  portalUrl: string;
  /** The API itself, for arranging and checking what the browser cannot see. */
  apiUrl: string;
  s3Endpoint: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/** The form defaults the API hands the portal: a draft the CPU worker renders in a few seconds. */
export const FORM_DEFAULTS = { quality: 'draft', durationSeconds: 1, steps: 4 } as const;

/** Every page's screenshot from the last run (git-ignored). */
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'screenshots');
