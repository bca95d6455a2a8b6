import { OidcAuthProvider } from './oidc-auth.provider';
import { codeChallenge } from './pkce';

const discovery = {
  authorization_endpoint: 'https://idp.test/authorize',
  token_endpoint: 'https://idp.test/token',
};

function setup(
  tokenResponse: () => Response = () =>
    Response.json({ access_token: 'at-1', refresh_token: 'rt-1', expires_in: 300 }),
) {
  const storage = new Map<string, string>();
  const fakeStorage = {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => void storage.set(key, value),
    removeItem: (key: string) => void storage.delete(key),
  } as Storage;
  const assign = vi.fn();
  const location = { origin: 'https://portal.test', assign } as unknown as Location;
  const fetchFn = vi.fn<typeof fetch>(async (input) =>
    String(input).endsWith('/.well-known/openid-configuration') ? Response.json(discovery) : tokenResponse(),
  );
  const provider = new OidcAuthProvider(
    { issuer: 'https://idp.test/', clientId: 'portal' },
    fetchFn,
    fakeStorage,
    location,
  );
  return { provider, fetchFn, assign, storage };
}

describe(OidcAuthProvider.name, () => {
  it('should redirect with an S256 PKCE challenge and state when sign-in begins', async () => {
    const { provider, assign, storage } = setup();

    await provider.beginSignIn('/create');

    const url = new URL(assign.mock.calls[0][0] as string);
    const pending = JSON.parse(storage.get('cineweave.oidc.pending')!) as { state: string; verifier: string };
    expect(url.origin + url.pathname).toBe('https://idp.test/authorize');
    expect(url.searchParams.get('client_id')).toBe('portal');
    expect(url.searchParams.get('redirect_uri')).toBe('https://portal.test/auth/callback');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toBe(await codeChallenge(pending.verifier));
    expect(url.searchParams.get('state')).toBe(pending.state);
  });

  it('should exchange the code with the verifier and return where the person was heading', async () => {
    const { provider, fetchFn, assign } = setup();
    await provider.beginSignIn('/jobs');
    const state = new URL(assign.mock.calls[0][0] as string).searchParams.get('state');

    await expect(
      provider.completeSignIn(`https://portal.test/auth/callback?code=abc&state=${state}`),
    ).resolves.toBe('/jobs');

    const body = fetchFn.mock.calls.at(-1)![1]!.body as URLSearchParams;
    expect(body.get('grant_type')).toBe('authorization_code');
    expect(body.get('code')).toBe('abc');
    expect(body.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{64}$/);
    await expect(provider.getToken()).resolves.toBe('at-1');
  });

  it('should refuse the callback when its state does not match', async () => {
    const { provider } = setup();
    await provider.beginSignIn('/jobs');

    await expect(
      provider.completeSignIn('https://portal.test/auth/callback?code=abc&state=forged'),
    ).rejects.toThrow(/expired or was opened in another tab/);
  });

  it('should report the provider error when the person declined', async () => {
    const { provider } = setup();

    await expect(
      provider.completeSignIn(
        'https://portal.test/auth/callback?error=access_denied&error_description=User%20cancelled',
      ),
    ).rejects.toThrow('The identity provider refused the sign-in: User cancelled');
  });

  it('should use the refresh token when the access token has expired', async () => {
    let issued = 0;
    const { provider, storage } = setup(() =>
      Response.json({ access_token: `at-${++issued}`, expires_in: 300 }),
    );
    storage.set(
      'cineweave.oidc.tokens',
      JSON.stringify({ accessToken: 'old', refreshToken: 'rt-1', expiresAt: Date.now() - 1000 }),
    );

    await expect(provider.getToken()).resolves.toBe('at-1');
    expect(JSON.parse(storage.get('cineweave.oidc.tokens')!).refreshToken).toBe('rt-1');
  });

  it('should be signed out when the token expired and there is no refresh token', async () => {
    const { provider, storage } = setup();
    storage.set(
      'cineweave.oidc.tokens',
      JSON.stringify({ accessToken: 'old', expiresAt: Date.now() - 1000 }),
    );

    await expect(provider.init()).resolves.toBe(false);
  });
});
