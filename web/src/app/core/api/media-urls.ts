import { Injectable, inject } from '@angular/core';
import { ApiClient, FETCH } from './api-client';

/** Presigned links live 15 minutes; re-ask a little before they die. */
const CACHE_MS = 10 * 60_000;

/**
 * Turns a job's media link into something an `<img>` or `<video>` can load. The API answers
 * `/v1/jobs/:id/video|thumbnail` with a 302 to a presigned URL, but those elements cannot send
 * the bearer token, so the redirect is followed here (with the token) and its target kept.
 * A JSON answer `{ url }` is accepted too. Absolute links are used as they are.
 */
@Injectable({ providedIn: 'root' })
export class MediaUrls {
  private readonly fetchFn = inject(FETCH);
  private readonly client = inject(ApiClient);
  private readonly cache = new Map<string, { expires: number; url: Promise<string | null> }>();

  resolve(link: string | null | undefined): Promise<string | null> {
    if (!link) return Promise.resolve(null);
    if (/^(https?:|blob:|data:)/.test(link)) return Promise.resolve(link);
    const cached = this.cache.get(link);
    if (cached && cached.expires > Date.now()) return cached.url;
    const url = this.follow(link);
    this.cache.set(link, { expires: Date.now() + CACHE_MS, url });
    // A failure is not worth remembering: the next render may succeed.
    void url.then((value) => value ?? this.cache.delete(link));
    return url;
  }

  private async follow(link: string): Promise<string | null> {
    try {
      const response = await this.fetchFn(this.client.url(link), {
        headers: { accept: 'application/json', ...(await this.client.authHeaders()) },
      });
      if (!response.ok) return null;
      if ((response.headers.get('content-type') ?? '').includes('json')) {
        const body = (await response.json()) as { url?: unknown };
        return typeof body.url === 'string' ? body.url : null;
      }
      // Only the address is needed, not the (possibly large) file.
      await response.body?.cancel();
      return response.url || null;
    } catch {
      // The storage host refused a cross-origin read (no CORS): nothing to show.
      return null;
    }
  }
}
