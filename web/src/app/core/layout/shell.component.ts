import { ChangeDetectionStrategy, Component, effect, inject, signal } from '@angular/core';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { filter } from 'rxjs';
import { LogoComponent } from '../../shared/ui/logo.component';
import { TeamSwitcherComponent } from '../../teams/team-switcher.component';
import { SessionStore } from '../auth/session.store';
import { AuthTokens } from '../auth/auth-tokens';
import { CreditsStore } from '../credits/credits.store';
import { formatNumber } from '../format/format';
import { ActingTeam } from '../teams/acting-team';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';

@Component({
  selector: 'cw-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, LogoComponent, TeamSwitcherComponent],
  templateUrl: './shell.component.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ShellComponent {
  protected readonly session = inject(SessionStore);
  protected readonly credits = inject(CreditsStore);
  protected readonly tokens = inject(AuthTokens);
  /** The page is re-created when the team in force changes, so it reloads everything for that team. */
  protected readonly acting = inject(ActingTeam);
  private readonly router = inject(Router);
  protected readonly menuOpen = signal(false);
  protected readonly formatNumber = formatNumber;
  protected readonly year = new Date().getFullYear();
  private navigated = false;

  protected readonly links = [
    { path: '/dashboard', label: 'Dashboard' },
    { path: '/create', label: 'Create' },
    { path: '/jobs', label: 'My videos' },
    { path: '/account', label: 'Account' },
  ];

  constructor() {
    void this.session.start();
    effect(() => {
      if (this.session.signedIn()) this.credits.startPolling();
      else this.credits.clear();
    });
    this.router.events
      .pipe(
        filter((event) => event instanceof NavigationEnd),
        takeUntilDestroyed(),
      )
      .subscribe(() => {
        this.menuOpen.set(false);
        // Move focus to the new page (not on first load) so keyboard and screen-reader users start there.
        if (this.navigated) document.getElementById('main')?.focus({ preventScroll: true });
        this.navigated = true;
      });
  }

  protected async signOut(): Promise<void> {
    await this.session.signOut();
    await this.router.navigateByUrl('/');
  }

  protected signInAgain(): void {
    void this.router.navigate(['/sign-in'], { queryParams: { returnUrl: this.router.url } });
  }
}
