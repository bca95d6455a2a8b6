import type { Request } from 'express';

interface RouteLayer {
  route?: { methods: Record<string, boolean> };
  match?: (path: string) => boolean;
}

/**
 * Methods the application answers on this request's path, read from Express's router, so that a
 * wrong method gets a 405 with `Allow` instead of a 404 that suggests the path does not exist.
 */
export function allowedMethods(request: Request): string[] {
  const router = (request.app as unknown as { router?: { stack?: RouteLayer[] } }).router;
  const methods = new Set<string>();
  for (const layer of router?.stack ?? []) {
    if (!layer.route || typeof layer.match !== 'function') continue;
    try {
      if (!layer.match(request.path)) continue;
    } catch {
      continue;
    }
    const declared = Object.entries(layer.route.methods).filter(([method, on]) => on && method !== '_all');
    // `router.all()` (catch-alls of mounted tools) declares every method; it says nothing about this path.
    if (declared.length > 16 || layer.route.methods['_all']) continue;
    for (const [method] of declared) methods.add(method.toUpperCase());
  }
  return [...methods].sort();
}
