import { InjectionToken } from '@angular/core';

/**
 * Settings the server that hosts the portal decides, read at start-up from `config.json`
 * next to `index.html`, so one build runs against any API: in production the ingress serves
 * the API on the same origin (the default, `apiBaseUrl: ''`); locally it listens on its own port.
 */
export interface RuntimeConfig {
  apiBaseUrl: string;
}

export const DEFAULT_RUNTIME_CONFIG: RuntimeConfig = { apiBaseUrl: '' };

export const RUNTIME_CONFIG = new InjectionToken<RuntimeConfig>('RUNTIME_CONFIG', {
  providedIn: 'root',
  factory: () => DEFAULT_RUNTIME_CONFIG,
});

export async function loadRuntimeConfig(
  fetchFn: typeof fetch = globalThis.fetch.bind(globalThis),
  url = 'config.json',
): Promise<RuntimeConfig> {
  try {
    const response = await fetchFn(url, { cache: 'no-store' });
    if (!response.ok) return DEFAULT_RUNTIME_CONFIG;
    return parseRuntimeConfig(await response.json());
  } catch {
    // No config file (a bare static server) means the API is on this origin.
    return DEFAULT_RUNTIME_CONFIG;
  }
}

export function parseRuntimeConfig(value: unknown): RuntimeConfig {
  if (typeof value !== 'object' || value === null) return DEFAULT_RUNTIME_CONFIG;
  const base = (value as Record<string, unknown>)['apiBaseUrl'];
  return { apiBaseUrl: typeof base === 'string' ? base.trim().replace(/\/+$/, '') : '' };
}
