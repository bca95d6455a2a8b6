import type { AuthProvider } from './auth-provider';

/** The part of Clerk's browser SDK (`@clerk/clerk-js`) the portal uses. */
interface ClerkSdk {
  load(options?: Record<string, unknown>): Promise<void>;
  session?: { getToken(): Promise<string | null> } | null;
  user?: unknown;
  mountSignIn(element: HTMLDivElement, props?: Record<string, unknown>): void;
  mountSignUp(element: HTMLDivElement, props?: Record<string, unknown>): void;
  unmountSignIn(element: HTMLDivElement): void;
  unmountSignUp(element: HTMLDivElement): void;
  addListener(listener: (resources: { session?: unknown }) => void): () => void;
  signOut(): Promise<void>;
}

declare global {
  interface Window {
    Clerk?: ClerkSdk;
  }
}

/**
 * The instance's Frontend API host is encoded in the publishable key
 * (`pk_test_<base64("host$")>`); clerk-js is served from there, pinned to its major version.
 */
export function clerkFrontendApi(publishableKey: string): string {
  const encoded = publishableKey.split('_')[2] ?? '';
  let decoded = '';
  try {
    decoded = atob(encoded);
  } catch {
    // handled below
  }
  if (!decoded.endsWith('$')) throw new Error('The Clerk publishable key the API reported is not valid.');
  return decoded.slice(0, -1);
}

/**
 * Clerk's hosted sign-in and sign-up components. clerk-js is loaded from the instance's Frontend
 * API only when Clerk is the configured mode, so dev and OIDC deployments never download it.
 */
export class ClerkAuthProvider implements AuthProvider {
  readonly mode = 'clerk' as const;
  private clerk: ClerkSdk | null = null;

  constructor(
    private readonly publishableKey: string,
    private readonly onSessionChange: (signedIn: boolean) => void,
  ) {}

  async init(): Promise<boolean> {
    const clerk = await this.loadSdk();
    await clerk.load({ signInUrl: '/sign-in', signUpUrl: '/sign-up' });
    this.clerk = clerk;
    let signedIn = !!clerk.session;
    clerk.addListener(({ session }) => {
      if (!!session !== signedIn) {
        signedIn = !!session;
        this.onSessionChange(signedIn);
      }
    });
    return signedIn;
  }

  mountSignIn(element: HTMLDivElement, redirectUrl: string): () => void {
    this.clerk?.mountSignIn(element, { signUpUrl: '/sign-up', forceRedirectUrl: redirectUrl });
    return () => this.clerk?.unmountSignIn(element);
  }

  mountSignUp(element: HTMLDivElement, redirectUrl: string): () => void {
    this.clerk?.mountSignUp(element, { signInUrl: '/sign-in', forceRedirectUrl: redirectUrl });
    return () => this.clerk?.unmountSignUp(element);
  }

  async getToken(): Promise<string | null> {
    return (await this.clerk?.session?.getToken()) ?? null;
  }

  async signOut(): Promise<void> {
    await this.clerk?.signOut();
  }

  private loadSdk(): Promise<ClerkSdk> {
    if (window.Clerk) return Promise.resolve(window.Clerk);
    const frontendApi = clerkFrontendApi(this.publishableKey);
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = `https://${frontendApi}/npm/@clerk/clerk-js@5/dist/clerk.browser.js`;
      script.async = true;
      script.crossOrigin = 'anonymous';
      script.dataset['clerkPublishableKey'] = this.publishableKey;
      script.onload = () =>
        window.Clerk
          ? resolve(window.Clerk)
          : reject(new Error('Clerk did not start. Reload the page to try again.'));
      script.onerror = () =>
        reject(new Error(`Could not load Clerk from ${frontendApi}. Check your connection.`));
      document.head.appendChild(script);
    });
  }
}
