import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { ApiError, errorMessage } from '../core/api/api-error';
import { AlertComponent } from '../shared/ui/alert.component';
import { SpinnerComponent } from '../shared/ui/spinner.component';
import { TeamsStore } from './teams.store';

const NAME_MAX = 80;

/** /teams/new: a team with its own credits, the creator its owner; the portal switches to it. */
@Component({
  selector: 'cw-create-team-page',
  imports: [RouterLink, AlertComponent, SpinnerComponent],
  template: `
    <div class="page max-w-xl space-y-6">
      <header>
        <p class="eyebrow">Teams</p>
        <h1 class="page-title mt-2">Create a team</h1>
        <p class="mt-2 text-sm text-ink-muted">
          A team has its own credits, videos and limits. You will be its owner and can invite people from its
          page.
        </p>
      </header>
      <form class="card space-y-5 p-5 sm:p-6" (submit)="submit($event)" novalidate>
        <div>
          <label class="field-label" for="team-name">Team name</label>
          <input
            id="team-name"
            class="input"
            [maxLength]="nameMax"
            placeholder="e.g. Trailer studio"
            [value]="name()"
            (input)="name.set($any($event.target).value)"
            [attr.aria-invalid]="!!nameError()"
            aria-describedby="team-name-error"
          />
          <p class="field-error" id="team-name-error" aria-live="polite">{{ nameError() ?? '' }}</p>
        </div>
        <div>
          <label class="field-label" for="organization-name">Organization (optional)</label>
          <input
            id="organization-name"
            class="input"
            [maxLength]="nameMax"
            placeholder="Defaults to the team's name"
            [value]="organization()"
            (input)="organization.set($any($event.target).value)"
            aria-describedby="organization-hint"
          />
          <p class="field-hint" id="organization-hint">
            The organization the team belongs to, for billing and single sign-on.
          </p>
        </div>
        @if (error()) {
          <cw-alert [message]="error()!" />
        }
        <div class="flex items-center gap-3">
          <button type="submit" class="btn-primary" [disabled]="saving()" data-testid="create-team-submit">
            @if (saving()) {
              <cw-spinner [showLabel]="false" label="Creating" />
            }
            Create team
          </button>
          <a routerLink="/dashboard" class="btn-ghost">Cancel</a>
        </div>
      </form>
    </div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CreateTeamPage {
  private readonly teams = inject(TeamsStore);
  private readonly router = inject(Router);

  protected readonly nameMax = NAME_MAX;
  protected readonly name = signal('');
  protected readonly organization = signal('');
  protected readonly touched = signal(false);
  protected readonly saving = signal(false);
  protected readonly error = signal<string | null>(null);
  private readonly apiNameError = signal<string | null>(null);

  protected readonly nameError = computed(() => {
    if (this.apiNameError()) return this.apiNameError();
    if (!this.touched()) return null;
    const name = this.name().trim();
    if (!name) return 'Give the team a name.';
    return name.length > NAME_MAX ? `A team name has at most ${NAME_MAX} characters.` : null;
  });

  protected async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.touched.set(true);
    this.apiNameError.set(null);
    this.error.set(null);
    if (this.nameError()) return;
    this.saving.set(true);
    try {
      const organizationName = this.organization().trim();
      const team = await this.teams.create({
        name: this.name().trim(),
        ...(organizationName ? { organizationName } : {}),
      });
      await this.router.navigate(['/teams', team.id]);
    } catch (error) {
      if (error instanceof ApiError) this.apiNameError.set(error.fieldMessages()['name'] ?? null);
      this.error.set(errorMessage(error));
    } finally {
      this.saving.set(false);
    }
  }
}
