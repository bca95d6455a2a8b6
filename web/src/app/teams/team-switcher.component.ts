import { ChangeDetectionStrategy, Component, ElementRef, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { TeamsStore } from './teams.store';
import { ROLE_LABELS } from './team-labels';

/**
 * The header's team switcher: which team the portal acts for (its credits, videos and limits),
 * the other teams to switch to, the team's page and "Create team". A disclosure (button +
 * panel of buttons), so it works with Tab, Enter and Escape and needs no menu keyboard model.
 */
@Component({
  selector: 'cw-team-switcher',
  imports: [RouterLink],
  host: {
    class: 'relative block',
    '(document:click)': 'closeOnOutside($event)',
    '(keydown.escape)': 'close(true)',
  },
  template: `
    <button
      type="button"
      class="inline-flex max-w-52 items-center gap-2 rounded-full border border-white/10 bg-white/5 px-3 py-1.5 text-sm text-ink transition hover:bg-white/8"
      [attr.aria-expanded]="open()"
      aria-controls="team-switcher-panel"
      data-testid="team-switcher"
      (click)="open.set(!open())"
    >
      <span class="sr-only">Team:</span>
      <span class="truncate font-medium" data-testid="current-team">{{
        store.current()?.name ?? 'Teams'
      }}</span>
      <svg class="size-4 shrink-0 text-ink-muted" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
        <path d="M5.5 7.5 10 12l4.5-4.5" stroke="currentColor" stroke-width="1.6" fill="none" />
      </svg>
    </button>
    @if (open()) {
      <div
        id="team-switcher-panel"
        class="absolute right-0 z-50 mt-2 w-72 rounded-2xl border border-white/10 bg-night-900 p-2 shadow-xl"
      >
        <p class="px-3 pt-2 pb-1 text-xs tracking-wide text-ink-faint uppercase" id="team-switcher-heading">
          Act for team
        </p>
        @if (store.error()) {
          <p class="px-3 py-2 text-sm text-rose-300" role="alert">
            Your teams could not be loaded: {{ store.error() }}
          </p>
        }
        <ul class="grid gap-0.5" aria-labelledby="team-switcher-heading">
          @for (team of store.teams(); track team.id) {
            <li>
              <button
                type="button"
                class="flex w-full items-center justify-between gap-3 rounded-xl px-3 py-2 text-left text-sm transition hover:bg-white/6"
                [class]="team.id === store.current()?.id ? 'bg-white/8' : ''"
                [attr.aria-current]="team.id === store.current()?.id ? 'true' : null"
                [attr.data-team-id]="team.id"
                data-testid="team-option"
                (click)="choose(team.id)"
              >
                <span class="min-w-0">
                  <span class="block truncate font-medium text-ink">{{ team.name }}</span>
                  <span class="block text-xs text-ink-muted"
                    >{{ team.personal ? 'Personal' : roleLabels[team.role]
                    }}{{ team.isDefault ? ' · default' : '' }}</span
                  >
                </span>
                @if (team.id === store.current()?.id) {
                  <span class="text-emerald-300" aria-hidden="true">✓</span>
                  <span class="sr-only">(current)</span>
                }
              </button>
            </li>
          }
        </ul>
        <div class="mt-2 grid gap-0.5 border-t border-white/8 pt-2">
          @if (store.current(); as current) {
            <a
              [routerLink]="['/teams', current.id]"
              class="rounded-xl px-3 py-2 text-sm text-ink-muted hover:bg-white/6 hover:text-ink"
              data-testid="team-settings-link"
              (click)="close(false)"
              >Team page: members, limits, usage</a
            >
          }
          <a
            routerLink="/teams/new"
            class="rounded-xl px-3 py-2 text-sm text-ink-muted hover:bg-white/6 hover:text-ink"
            data-testid="create-team-link"
            (click)="close(false)"
            >+ Create team</a
          >
        </div>
      </div>
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TeamSwitcherComponent {
  protected readonly store = inject(TeamsStore);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  protected readonly open = signal(false);
  protected readonly roleLabels = ROLE_LABELS;

  protected async choose(teamId: string): Promise<void> {
    this.close(true);
    await this.store.switchTo(teamId);
  }

  protected close(refocus: boolean): void {
    if (!this.open()) return;
    this.open.set(false);
    if (refocus) this.host.nativeElement.querySelector<HTMLButtonElement>('button')?.focus();
  }

  protected closeOnOutside(event: MouseEvent): void {
    if (this.open() && !this.host.nativeElement.contains(event.target as Node)) this.open.set(false);
  }
}
