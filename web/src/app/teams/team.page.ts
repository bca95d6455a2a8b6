import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { TEAM_ROLES, type TeamMemberView, type TeamRole } from '@cineweave/contracts';
import { formatCredits, formatDateTime, formatNumber } from '../core/format/format';
import { ChartComponent } from '../admin/charts/chart.component';
import { AlertComponent } from '../shared/ui/alert.component';
import { SpinnerComponent } from '../shared/ui/spinner.component';
import { LIMIT_FIELDS, type LimitInputs, limitInputs } from './team-limits';
import { INVITATION_STATUS_LABELS, ROLE_HINTS, ROLE_LABELS } from './team-labels';
import { TeamPageStore } from './team-page.store';
import { usagePanel } from './team-usage';
import { TeamsStore } from './teams.store';

/** /teams/:id: the team's credits, limits, members, invitations and usage this month. */
@Component({
  selector: 'cw-team-page',
  imports: [RouterLink, AlertComponent, SpinnerComponent, ChartComponent],
  providers: [TeamPageStore],
  templateUrl: './team.page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TeamPage {
  protected readonly store = inject(TeamPageStore);
  protected readonly teams = inject(TeamsStore);
  private readonly router = inject(Router);

  /** The route's `:id`. */
  readonly id = input.required<string>();

  protected readonly roles = TEAM_ROLES;
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly roleHints = ROLE_HINTS;
  protected readonly statusLabels = INVITATION_STATUS_LABELS;
  protected readonly limitFields = LIMIT_FIELDS;
  protected readonly formatNumber = formatNumber;
  protected readonly formatCredits = formatCredits;
  protected readonly formatDateTime = formatDateTime;

  protected readonly limits = signal<LimitInputs>({
    activeJobLimit: '',
    monthlyCreditQuota: '',
    memberMonthlyCap: '',
  });
  protected readonly inviteEmail = signal('');
  protected readonly inviteRole = signal<TeamRole>('member');
  protected readonly inviteDays = signal(7);
  protected readonly copied = signal(false);
  protected readonly confirmRemove = signal<string | null>(null);
  protected readonly confirmLeave = signal(false);

  protected readonly isCurrent = computed(() => this.teams.current()?.id === this.id());
  /** Roles the caller may hand out: `owner` only by an owner. */
  protected readonly grantableRoles = computed(() =>
    this.roles.filter((role) => role !== 'owner' || this.store.isOwner()),
  );
  protected readonly monthName = computed(() => {
    const start = this.store.team()?.month.periodStart;
    return start
      ? new Date(start).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' })
      : 'this month';
  });

  protected readonly usageChart = computed(() => usagePanel(this.store.usageDays(), this.monthName()));

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => void this.store.load(id));
    });
    // The form starts from the limits in force, and again after each save.
    effect(() => {
      const team = this.store.team();
      if (team) untracked(() => this.limits.set(limitInputs(team.limits)));
    });
  }

  protected setLimit(field: keyof LimitInputs, value: string): void {
    this.limits.update((inputs) => ({ ...inputs, [field]: value }));
  }

  protected async saveLimits(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    await this.store.saveLimits(this.limits());
  }

  protected async changeRole(member: TeamMemberView, role: string): Promise<void> {
    await this.store.changeRole(member, role as TeamRole);
  }

  protected async remove(member: TeamMemberView): Promise<void> {
    this.confirmRemove.set(null);
    await this.store.remove(member);
  }

  protected async leave(): Promise<void> {
    this.confirmLeave.set(false);
    if (!(await this.store.leave())) return;
    // Off this page first: it belongs to a team we are no longer in.
    await this.router.navigateByUrl('/dashboard');
    await this.teams.afterLeaving();
  }

  protected async invite(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.copied.set(false);
    if (
      await this.store.invite({
        email: this.inviteEmail(),
        role: this.inviteRole(),
        expiresInDays: this.inviteDays(),
      })
    )
      this.inviteEmail.set('');
  }

  protected async copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.copied.set(true);
      setTimeout(() => this.copied.set(false), 2000);
    } catch {
      // Clipboard refused (insecure origin): the link is selectable on screen.
    }
  }

  protected async exportCsv(): Promise<void> {
    const csv = await this.store.exportCsv();
    const team = this.store.team();
    if (csv === null || !team) return;
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `cineweave-usage-${slug(team.name)}-${team.month.periodStart.slice(0, 7)}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  protected memberName(member: TeamMemberView): string {
    return member.email ?? member.userId;
  }
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'team'
  );
}
