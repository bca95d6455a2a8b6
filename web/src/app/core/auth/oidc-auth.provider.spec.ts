import { TestBed } from '@angular/core/testing';
import { OidcSecurityService, PublicEventsService } from 'angular-auth-oidc-client';
import { PlatformConfigStore } from '../config/platform-config.store';
import { OidcAuthProvider } from './oidc-auth.provider';
import { provideOidcSignIn } from './oidc-settings';

// The flows that talk to an identity provider (discovery, JWKS, token endpoint) are tested over
// real HTTP against a stand-in provider in web/e2e (oidc.e2e.spec.ts). These cover what the portal
// decides before any request (the callbacks refused on sight) and an unreachable provider.

const SETTINGS = { issuer: 'https://idp.test/', clientId: 'portal' };

function setup(href: string, settings = SETTINGS) {
  TestBed.configureTestingModule({
    providers: [
      provideOidcSignIn(),
      {
        provide: PlatformConfigStore,
        useValue: { load: async () => ({ authMode: 'oidc', oidc: settings }) },
      },
    ],
  });
  const location = { origin: 'https://portal.test', href, assign: vi.fn() } as unknown as Location;
  return new OidcAuthProvider(
    settings,
    TestBed.inject(OidcSecurityService),
    TestBed.inject(PublicEventsService),
    sessionStorage,
    location,
  );
}

describe(OidcAuthProvider.name, () => {
  beforeEach(() => sessionStorage.clear());

  it('should be signed out without asking the provider when nobody signed in before', async () => {
    const provider = setup('https://portal.test/dashboard');

    await expect(provider.init()).resolves.toBe(false);
    await expect(provider.getToken()).resolves.toBeNull();
  });

  it('should report the provider error when the person declined', async () => {
    const provider = setup(
      'https://portal.test/auth/callback?error=access_denied&error_description=User%20cancelled',
    );
    await provider.init();

    await expect(provider.completeSignIn()).rejects.toThrow(
      'The identity provider refused the sign-in: User cancelled',
    );
  });

  it('should refuse the callback without redeeming the code when its state was never issued here', async () => {
    const provider = setup('https://portal.test/auth/callback?code=abc&state=forged');

    await expect(provider.init()).resolves.toBe(false);
    await expect(provider.completeSignIn()).rejects.toThrow(/expired or was opened in another tab/);
  });

  it('should say the provider cannot be reached and stay on the page when its discovery fails', async () => {
    // Nothing listens on the discard port: the connection is refused at once.
    const provider = setup('https://portal.test/sign-in', {
      issuer: 'http://127.0.0.1:9',
      clientId: 'portal',
    });

    await expect(provider.beginSignIn('/jobs')).rejects.toThrow(
      'Could not reach the identity provider at 127.0.0.1:9.',
    );
    expect(sessionStorage.length).toBe(0);
  });

  it('should name the issuer host on the sign-in button when the issuer is a URL', () => {
    expect(setup('https://portal.test/sign-in').issuerHost).toBe('idp.test');
  });
});
