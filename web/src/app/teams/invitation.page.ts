import { ChangeDetectionStrategy, Component, effect, inject, input, untracked } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { SessionStore } from '../core/auth/session.store';
import { formatDateTime } from '../core/format/format';
import { AlertComponent } from '../shared/ui/alert.component';
import { SpinnerComponent } from '../shared/ui/spinner.component';
import { InvitationStore } from './invitation.store';
import { ROLE_HINTS, ROLE_LABELS } from './team-labels';

/**
 * /invite/:token: open to everyone, so a person who is not signed in learns they must sign in
 * first (and comes back here after); signed in, they see the invitation and accept it.
 */
@Component({
  selector: 'cw-invitation-page',
  imports: [RouterLink, AlertComponent, SpinnerComponent],
  providers: [InvitationStore],
  template: `
    <div class="page max-w-xl space-y-6">
      <header>
        <p class="eyebrow">Invitation</p>
        <h1 class="page-title mt-2">
          @if (store.preview(); as preview) {
            Join {{ preview.team.name }}
          } @else {
            You have been invited to a team
          }
        </h1>
      </header>

      @switch (session.status()) {
        @case ('starting') {
          <div aria-busy="true"><cw-spinner label="Checking your sign-in…" /></div>
        }
        @case ('signed-out') {
          <div class="card space-y-4 p-5 sm:p-6">
            <p class="text-sm text-ink-muted">
              Sign in to see who invited you and to accept. New to CineWeave? Create an account first; you
              will come back to this invitation.
            </p>
            <div class="flex flex-wrap gap-3">
              <a
                routerLink="/sign-in"
                [queryParams]="{ returnUrl: here() }"
                class="btn-primary"
                data-testid="invite-sign-in"
                >Sign in to accept</a
              >
              <a routerLink="/sign-up" [queryParams]="{ returnUrl: here() }" class="btn-secondary"
                >Create an account</a
              >
            </div>
          </div>
        }
        @case ('unavailable') {
          <cw-alert [message]="session.error() || 'The CineWeave API is not reachable right now.'" />
        }
        @default {
          @if (store.problem(); as problem) {
            <cw-alert
              [heading]="problem.heading"
              [message]="problem.message"
              data-testid="invitation-problem"
            />
          }
          @if (store.preview(); as preview) {
            <section class="card space-y-4 p-5 sm:p-6" aria-label="The invitation">
              <dl class="grid gap-3 text-sm sm:grid-cols-2">
                <div>
                  <dt class="text-ink-muted">Team</dt>
                  <dd class="font-semibold text-ink" data-testid="invitation-team">
                    {{ preview.team.name }}
                  </dd>
                </div>
                @if (preview.organization) {
                  <div>
                    <dt class="text-ink-muted">Organization</dt>
                    <dd class="text-ink">{{ preview.organization.name }}</dd>
                  </div>
                }
                <div>
                  <dt class="text-ink-muted">Your role</dt>
                  <dd class="text-ink" data-testid="invitation-role">
                    {{ roleLabels[preview.role] }}
                    <span class="text-ink-muted">({{ roleHints[preview.role] }})</span>
                  </dd>
                </div>
                <div>
                  <dt class="text-ink-muted">Invited by</dt>
                  <dd class="text-ink">{{ preview.invitedBy }}</dd>
                </div>
                <div>
                  <dt class="text-ink-muted">{{ preview.status === 'expired' ? 'Expired' : 'Expires' }}</dt>
                  <dd class="text-ink">{{ formatDateTime(preview.expiresAt) }}</dd>
                </div>
              </dl>
              @if (store.closedReason(); as reason) {
                <cw-alert tone="warning" [message]="reason" data-testid="invitation-closed" />
              } @else {
                <p class="text-sm text-ink-muted">
                  Signed in as <span class="text-ink">{{ session.displayName() }}</span>.
                  @if (store.alreadyMember()) {
                    You are already in this team.
                  }
                  Accepting makes {{ preview.team.name }} the team the portal acts for: videos you create are
                  charged to its credits.
                </p>
                <button
                  type="button"
                  class="btn-primary"
                  [disabled]="store.accepting()"
                  (click)="accept()"
                  data-testid="accept-invitation"
                >
                  @if (store.accepting()) {
                    <cw-spinner [showLabel]="false" label="Joining" />
                  }
                  Accept and join {{ preview.team.name }}
                </button>
              }
            </section>
          } @else if (store.loading()) {
            <div aria-busy="true"><cw-spinner label="Opening the invitation…" /></div>
          }
        }
      }
    </div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class InvitationPage {
  protected readonly session = inject(SessionStore);
  protected readonly store = inject(InvitationStore);
  private readonly router = inject(Router);

  /** The route's `:token`. */
  readonly token = input.required<string>();
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly roleHints = ROLE_HINTS;
  protected readonly formatDateTime = formatDateTime;

  constructor() {
    void this.session.start();
    effect(() => {
      const token = this.token();
      if (this.session.signedIn()) untracked(() => void this.store.load(token));
    });
  }

  protected here(): string {
    return `/invite/${encodeURIComponent(this.token())}`;
  }

  protected async accept(): Promise<void> {
    if (await this.store.accept(this.token())) await this.router.navigateByUrl('/dashboard');
  }
}
