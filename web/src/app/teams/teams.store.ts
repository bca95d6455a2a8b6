import { Injectable, computed, inject } from '@angular/core';
import { Router } from '@angular/router';
import type { CreateTeamRequest, TeamSummary } from '@cineweave/contracts';
import { CineweaveApi } from '../core/api/cineweave-api';
import { SessionStore } from '../core/auth/session.store';
import { CreditsStore } from '../core/credits/credits.store';
import { ActingTeam } from '../core/teams/acting-team';

/**
 * The person's teams and the one the portal acts for: what the switcher shows, switching,
 * creating a team and joining one. The list itself lives in ActingTeam (core), which the API
 * client reads for the team header.
 */
@Injectable({ providedIn: 'root' })
export class TeamsStore {
  private readonly api = inject(CineweaveApi);
  private readonly acting = inject(ActingTeam);
  private readonly session = inject(SessionStore);
  private readonly credits = inject(CreditsStore);
  private readonly router = inject(Router);

  readonly teams = computed(() => sortTeams(this.acting.teams() ?? []));
  readonly current = this.acting.current;
  readonly loaded = computed(() => this.acting.teams() !== null);
  readonly error = this.session.teamsError;

  /**
   * Acts for `teamId` from now on. The shell re-creates the page for the new team; a page about
   * one job or one team of the old team's is left for its list (the job is not the new team's).
   */
  async switchTo(teamId: string): Promise<void> {
    if (this.current()?.id === teamId) return;
    this.acting.choose(teamId);
    void this.credits.refresh();
    const path = this.router.url.split(/[?#]/)[0];
    if (/^\/jobs\/[^/]+/.test(path)) await this.router.navigateByUrl('/jobs');
    else if (/^\/teams\/[^/]+$/.test(path) && path !== '/teams/new')
      await this.router.navigate(['/teams', teamId]);
  }

  /** Creates a team (the caller its owner) and switches to it. */
  async create(request: CreateTeamRequest): Promise<TeamSummary> {
    const created = await this.api.createTeam(request);
    this.acting.upsert(created);
    await this.session.reloadTeams();
    await this.switchTo(created.id);
    return created;
  }

  /** Accepts an invitation and switches to the team it joined. */
  async join(token: string): Promise<TeamSummary> {
    const joined = await this.api.acceptInvitation(token);
    this.acting.upsert(joined);
    await this.session.reloadTeams();
    await this.switchTo(joined.id);
    return joined;
  }

  /** After leaving a team: the list no longer has it, and the portal falls back to the default team. */
  async afterLeaving(): Promise<void> {
    await this.session.reloadTeams();
    void this.credits.refresh();
  }
}

/** The default team first, then personal before shared, then by name: the order the switcher lists. */
export function sortTeams(teams: readonly TeamSummary[]): TeamSummary[] {
  return [...teams].sort(
    (a, b) =>
      Number(b.isDefault) - Number(a.isDefault) ||
      Number(b.personal) - Number(a.personal) ||
      a.name.localeCompare(b.name),
  );
}
