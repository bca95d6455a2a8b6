import {
  ChangeDetectionStrategy,
  Component,
  type ElementRef,
  computed,
  effect,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { errorMessage } from '../core/api/api-error';
import { DEV_USER_ID, DEV_USER_ID_RULE } from '../core/auth/auth-token';
import { ClerkAuthProvider } from '../core/auth/clerk-auth.provider';
import { safeReturnUrl } from '../core/auth/guards';
import { OidcAuthProvider } from '../core/auth/oidc-auth.provider';
import { SessionStore } from '../core/auth/session.store';
import { AlertComponent } from '../shared/ui/alert.component';
import { LogoComponent } from '../shared/ui/logo.component';
import { SpinnerComponent } from '../shared/ui/spinner.component';

/** /sign-in and /sign-up: one page whose form depends on the API's sign-in mode. */
@Component({
  selector: 'cw-sign-in-page',
  imports: [RouterLink, AlertComponent, LogoComponent, SpinnerComponent],
  templateUrl: './sign-in.page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SignInPage {
  protected readonly session = inject(SessionStore);
  private readonly router = inject(Router);

  /** From the route's data: which of the two pages this is. */
  readonly mode = input<'sign-in' | 'sign-up'>('sign-in');
  readonly returnUrl = input<string | undefined>();

  protected readonly userId = signal('');
  protected readonly asAdmin = signal(false);
  protected readonly submitting = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly touched = signal(false);
  protected readonly userIdRule = DEV_USER_ID_RULE;

  protected readonly signUp = computed(() => this.mode() === 'sign-up');
  protected readonly authMode = computed(() => this.session.provider()?.mode ?? null);
  protected readonly userIdError = computed(() => {
    const value = this.userId().trim();
    if (!value) return 'Enter a user id to sign in as.';
    return DEV_USER_ID.test(value) ? null : DEV_USER_ID_RULE;
  });
  protected readonly issuerHost = computed(() => {
    const provider = this.session.provider();
    return provider instanceof OidcAuthProvider ? provider.issuerHost : '';
  });

  private readonly clerkHost = viewChild<ElementRef<HTMLDivElement>>('clerkHost');

  constructor() {
    void this.session.start();
    // Clerk's own components render into the page once clerk-js is loaded.
    effect((onCleanup) => {
      const provider = this.session.provider();
      const host = this.clerkHost()?.nativeElement;
      if (!(provider instanceof ClerkAuthProvider) || !host) return;
      const target = safeReturnUrl(this.returnUrl());
      const unmount = this.signUp() ? provider.mountSignUp(host, target) : provider.mountSignIn(host, target);
      onCleanup(unmount);
    });
    effect(() => {
      if (this.session.signedIn() && this.authMode() === 'clerk')
        void this.router.navigateByUrl(safeReturnUrl(this.returnUrl()));
    });
  }

  protected async submitDev(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.touched.set(true);
    if (this.userIdError()) return;
    this.submitting.set(true);
    this.error.set(null);
    try {
      await this.session.signInDev(this.userId(), this.asAdmin());
      await this.router.navigateByUrl(safeReturnUrl(this.returnUrl()));
    } catch (error) {
      this.error.set(errorMessage(error));
    } finally {
      this.submitting.set(false);
    }
  }

  protected async continueWithOidc(): Promise<void> {
    const provider = this.session.provider();
    if (!(provider instanceof OidcAuthProvider)) return;
    this.submitting.set(true);
    this.error.set(null);
    try {
      await provider.beginSignIn(safeReturnUrl(this.returnUrl()), this.signUp());
    } catch (error) {
      this.error.set(errorMessage(error));
      this.submitting.set(false);
    }
  }
}
