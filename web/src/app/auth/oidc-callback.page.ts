import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { errorMessage } from '../core/api/api-error';
import { safeReturnUrl } from '../core/auth/guards';
import { OidcAuthProvider } from '../core/auth/oidc-auth.provider';
import { SessionStore } from '../core/auth/session.store';
import { AlertComponent } from '../shared/ui/alert.component';
import { SpinnerComponent } from '../shared/ui/spinner.component';

/** Where the identity provider sends people back with an authorization code. */
@Component({
  selector: 'cw-oidc-callback-page',
  imports: [RouterLink, AlertComponent, SpinnerComponent],
  template: `
    <div class="page flex justify-center">
      <div class="card w-full max-w-md p-8 text-center">
        <h1 class="mb-4 font-display text-xl font-bold text-ink">Signing you in</h1>
        @if (error()) {
          <cw-alert [message]="error()!" />
          <a routerLink="/sign-in" class="btn-primary mt-6">Back to sign in</a>
        } @else {
          <cw-spinner label="Finishing sign-in…" />
        }
      </div>
    </div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class OidcCallbackPage {
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);
  protected readonly error = signal<string | null>(null);

  constructor() {
    void this.complete();
  }

  private async complete(): Promise<void> {
    try {
      await this.session.start();
      const provider = this.session.provider();
      if (!(provider instanceof OidcAuthProvider))
        throw new Error('This deployment does not use single sign-on.');
      const returnUrl = await provider.completeSignIn();
      // Usually the session already started with the new tokens; if the API failed then, try again.
      if (!this.session.signedIn()) await this.session.refresh();
      await this.router.navigateByUrl(safeReturnUrl(returnUrl), { replaceUrl: true });
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }
}
