import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { SessionStore } from '../core/auth/session.store';
import { ActingTeam } from '../core/teams/acting-team';
import { CreditsStore } from '../core/credits/credits.store';
import { formatCredits, formatNumber } from '../core/format/format';
import { CreateStore } from '../create/create.store';
import { AlertComponent } from '../shared/ui/alert.component';
import { EmptyStateComponent } from '../shared/ui/empty-state.component';
import { JobCardComponent } from '../shared/ui/job-card.component';
import { SpinnerComponent } from '../shared/ui/spinner.component';
import { DashboardStore } from './dashboard.store';

@Component({
  selector: 'cw-dashboard-page',
  imports: [RouterLink, AlertComponent, EmptyStateComponent, JobCardComponent, SpinnerComponent],
  providers: [DashboardStore, CreateStore],
  templateUrl: './dashboard.page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DashboardPage {
  protected readonly store = inject(DashboardStore);
  protected readonly credits = inject(CreditsStore);
  protected readonly session = inject(SessionStore);
  /** Credits, videos and quick create are this team's (the page is re-created when it changes). */
  protected readonly team = inject(ActingTeam).current;
  protected readonly quick = inject(CreateStore);
  private readonly router = inject(Router);
  protected readonly formatNumber = formatNumber;
  protected readonly formatCredits = formatCredits;

  protected readonly greeting = computed(() => {
    const name = this.session.displayName();
    const hour = new Date().getHours();
    const part = hour < 12 ? 'Good morning' : hour < 18 ? 'Good afternoon' : 'Good evening';
    return name ? `${part}, ${name}` : part;
  });
  protected readonly planName = computed(() => {
    const plan = this.credits.summary()?.plan;
    return plan ? plan.charAt(0).toUpperCase() + plan.slice(1) : '—';
  });

  constructor() {
    void this.store.load();
    void this.credits.refresh();
  }

  protected async quickCreate(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const job = await this.quick.submit();
    if (job) await this.router.navigate(['/jobs', job.id]);
  }
}
