import { TestBed } from '@angular/core/testing';
import { AuthTokens } from '../auth/auth-tokens';
import { RUNTIME_CONFIG } from '../config/runtime-config';
import { ApiClient, FETCH } from './api-client';
import { ApiError } from './api-error';

function setup(fetchFn: typeof fetch) {
  TestBed.configureTestingModule({
    providers: [
      { provide: FETCH, useValue: fetchFn },
      { provide: RUNTIME_CONFIG, useValue: { apiBaseUrl: 'http://api.test' } },
    ],
  });
  const tokens = TestBed.inject(AuthTokens);
  tokens.use({
    mode: 'dev',
    init: async () => true,
    getToken: async () => 'dev:alice',
    signOut: async () => undefined,
  });
  return { client: TestBed.inject(ApiClient), tokens };
}

describe(ApiClient.name, () => {
  it('should send the bearer token and JSON body when posting', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => Response.json({ id: 'j1' }, { status: 202 }));
    const { client } = setup(fetchFn);

    await expect(client.post('/v1/jobs', { prompt: 'a fox' })).resolves.toEqual({ id: 'j1' });

    const [url, init] = fetchFn.mock.calls[0];
    expect(url).toBe('http://api.test/v1/jobs');
    expect(init?.method).toBe('POST');
    expect((init?.headers as Record<string, string>)['authorization']).toBe('Bearer dev:alice');
    expect(init?.body).toBe('{"prompt":"a fox"}');
  });

  it('should leave out empty query values when building a URL', () => {
    const { client } = setup(vi.fn());
    expect(client.url('/v1/jobs', { status: null, cursor: '', limit: 10 })).toBe(
      'http://api.test/v1/jobs?limit=10',
    );
  });

  it('should not send a token when the call is anonymous', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => Response.json([]));
    const { client } = setup(fetchFn);

    await client.get('/v1/plans', { anonymous: true });

    expect((fetchFn.mock.calls[0][1]?.headers as Record<string, string>)['authorization']).toBeUndefined();
  });

  it('should surface detail and field errors when the API answers with problem+json', async () => {
    const problem = {
      type: 'https://cineweave.io/problems/validation-failed',
      title: 'The request is not valid',
      status: 400,
      detail: 'durationSeconds must be at most 10',
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'durationSeconds', message: 'durationSeconds must be at most 10' }],
    };
    const fetchFn = vi.fn<typeof fetch>(
      async () =>
        new Response(JSON.stringify(problem), {
          status: 400,
          headers: { 'content-type': 'application/problem+json' },
        }),
    );
    const { client } = setup(fetchFn);

    const error = await client.post('/v1/jobs', {}).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).detail).toBe('durationSeconds must be at most 10');
    expect((error as ApiError).code).toBe('VALIDATION_FAILED');
    expect((error as ApiError).fieldMessages()).toEqual({
      durationSeconds: 'durationSeconds must be at most 10',
    });
  });

  it('should mark the session expired when the API answers 401', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => new Response('', { status: 401 }));
    const { client, tokens } = setup(fetchFn);

    await expect(client.get('/v1/me')).rejects.toMatchObject({ status: 401 });
    expect(tokens.sessionExpired()).toBe(true);
  });

  it('should explain how to recover when the API cannot be reached', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => {
      throw new TypeError('Failed to fetch');
    });
    const { client } = setup(fetchFn);

    await expect(client.get('/v1/credits')).rejects.toThrow(/Could not reach the CineWeave API/);
  });

  it('should read Retry-After when the API rate limits', async () => {
    const fetchFn = vi.fn<typeof fetch>(
      async () =>
        new Response(
          JSON.stringify({
            status: 429,
            title: 'Too many active jobs',
            detail: 'You have 5 active jobs',
            code: 'ACTIVE_JOB_LIMIT',
          }),
          {
            status: 429,
            headers: { 'content-type': 'application/problem+json', 'retry-after': '30' },
          },
        ),
    );
    const { client } = setup(fetchFn);

    const error = (await client.post('/v1/jobs', {}).catch((caught: unknown) => caught)) as ApiError;

    expect(error.retryAfterSeconds).toBe(30);
    expect(error.detail).toBe('You have 5 active jobs');
  });
});
