import { oidcConfiguration } from './oidc-settings';

describe('oidcConfiguration', () => {
  it('should keep every ID-token check on and use code + PKCE when configuring the library', () => {
    const config = oidcConfiguration(
      { issuer: 'https://idp.test/', clientId: 'portal' },
      'https://portal.test',
    );

    expect(config).toMatchObject({
      authority: 'https://idp.test',
      clientId: 'portal',
      redirectUrl: 'https://portal.test/auth/callback',
      responseType: 'code',
      useRefreshToken: true,
    });
    for (const weakening of [
      'disableIdTokenValidation',
      'issValidationOff',
      'disableIatOffsetValidation',
      'strictIssuerValidationOnWellKnownRetrievalOff',
      'disablePkce',
    ]) {
      expect(config).not.toHaveProperty(weakening);
    }
  });
});
