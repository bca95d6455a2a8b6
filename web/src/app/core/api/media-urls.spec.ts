import { TestBed } from '@angular/core/testing';
import { AuthTokens } from '../auth/auth-tokens';
import { RUNTIME_CONFIG } from '../config/runtime-config';
import { FETCH } from './api-client';
import { MediaUrls } from './media-urls';

function setup(fetchFn: typeof fetch) {
  TestBed.configureTestingModule({
    providers: [
      { provide: FETCH, useValue: fetchFn },
      { provide: RUNTIME_CONFIG, useValue: { apiBaseUrl: 'http://api.test' } },
    ],
  });
  TestBed.inject(AuthTokens).use({
    mode: 'dev',
    init: async () => true,
    getToken: async () => 'dev:alice',
    signOut: async () => undefined,
  });
  return TestBed.inject(MediaUrls);
}

function redirected(url: string): Response {
  const response = new Response('video bytes', { headers: { 'content-type': 'video/mp4' } });
  Object.defineProperty(response, 'url', { value: url });
  return response;
}

describe(MediaUrls.name, () => {
  it('should use an absolute link as it is', async () => {
    const fetchFn = vi.fn<typeof fetch>();
    const media = setup(fetchFn);

    await expect(media.resolve('https://s3.test/v.mp4?sig=1')).resolves.toBe('https://s3.test/v.mp4?sig=1');
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it('should follow the API redirect with the token and keep its target', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () =>
      redirected('https://s3.test/out/v.mp4?X-Amz-Signature=abc'),
    );
    const media = setup(fetchFn);

    await expect(media.resolve('/v1/jobs/j1/video')).resolves.toBe(
      'https://s3.test/out/v.mp4?X-Amz-Signature=abc',
    );
    expect(fetchFn.mock.calls[0][0]).toBe('http://api.test/v1/jobs/j1/video');
    expect((fetchFn.mock.calls[0][1]?.headers as Record<string, string>)['authorization']).toBe(
      'Bearer dev:alice',
    );
  });

  it('should read the URL when the API answers with JSON', async () => {
    const media = setup(vi.fn<typeof fetch>(async () => Response.json({ url: 'https://s3.test/t.jpg' })));

    await expect(media.resolve('/v1/jobs/j1/thumbnail')).resolves.toBe('https://s3.test/t.jpg');
  });

  it('should ask the API once when the same link is shown twice', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => Response.json({ url: 'https://s3.test/t.jpg' }));
    const media = setup(fetchFn);

    await media.resolve('/v1/jobs/j1/thumbnail');
    await media.resolve('/v1/jobs/j1/thumbnail');

    expect(fetchFn).toHaveBeenCalledTimes(1);
  });

  it('should give nothing when the output has expired', async () => {
    const media = setup(vi.fn<typeof fetch>(async () => new Response('', { status: 410 })));

    await expect(media.resolve('/v1/jobs/j1/video')).resolves.toBeNull();
  });
});
