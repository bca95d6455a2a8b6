import { loadRuntimeConfig, parseRuntimeConfig } from './runtime-config';

describe('RuntimeConfig', () => {
  it('should strip trailing slashes when the API base URL has them', () => {
    expect(parseRuntimeConfig({ apiBaseUrl: 'http://localhost:3000/ ' })).toEqual({
      apiBaseUrl: 'http://localhost:3000',
    });
  });

  it('should fall back to the same origin when the file is not an object', () => {
    expect(parseRuntimeConfig('nonsense')).toEqual({ apiBaseUrl: '' });
    expect(parseRuntimeConfig({ apiBaseUrl: 42 })).toEqual({ apiBaseUrl: '' });
  });

  it('should fall back to the same origin when config.json is missing', async () => {
    const fetchFn = vi.fn(async () => new Response('not found', { status: 404 }));
    await expect(loadRuntimeConfig(fetchFn)).resolves.toEqual({ apiBaseUrl: '' });
  });

  it('should read the API base URL when config.json names one', async () => {
    const fetchFn = vi.fn(async () => Response.json({ apiBaseUrl: 'https://api.example.com' }));
    await expect(loadRuntimeConfig(fetchFn)).resolves.toEqual({ apiBaseUrl: 'https://api.example.com' });
  });
});
