import { Injectable, computed, signal } from '@angular/core';
import type { TeamSummary } from '@cineweave/contracts';

/**
 * The contracts' TEAM_HEADER, spelled here because importing any value from the contracts package
 * pulls zod and every schema into the initial bundle (they are lazy today: only pages that
 * validate import them). acting-team.spec.ts holds the two equal.
 */
export const TEAM_HEADER = 'x-cineweave-team';

/** Where the chosen team is kept between visits (one browser, one choice; cleared on sign-out). */
export const ACTING_TEAM_KEY = 'cineweave.team';

/**
 * The team every API call acts for: the API client sends its id in `X-CineWeave-Team`. The
 * person's choice is kept in localStorage; until the list of their teams is known it is sent as
 * stored, and once it is known a choice that is no longer among them (removed, team gone) falls
 * back to the default team. Lives in core, beside the API client that reads it, so the client
 * does not depend on the teams feature (which itself calls the API).
 */
@Injectable({ providedIn: 'root' })
export class ActingTeam {
  private readonly chosenState = signal<string | null>(readStored());
  private readonly teamsState = signal<TeamSummary[] | null>(null);
  private readonly generationState = signal(0);
  private verifier: (() => Promise<void>) | null = null;
  private verifying: Promise<void> | null = null;

  /** The caller's teams (`GET /v1/teams`), null until read. */
  readonly teams = this.teamsState.asReadonly();
  /** The team in force: the chosen one when it is among the caller's teams, else the default team. */
  readonly current = computed<TeamSummary | null>(() => {
    const teams = this.teamsState();
    if (!teams) return null;
    const chosen = this.chosenState();
    return (
      teams.find((team) => team.id === chosen) ?? teams.find((team) => team.isDefault) ?? teams[0] ?? null
    );
  });
  /** The id sent with every call: the team in force, or the stored choice before the list is known. */
  readonly id = computed(() => this.current()?.id ?? this.chosenState());
  /**
   * Bumped each time the team in force changes by a choice (a switch, or a fallback from a team
   * that is gone), not when the list first arrives: the shell re-creates the page on it, so every
   * page reloads its data for the new team.
   */
  readonly generation = this.generationState.asReadonly();

  /** Takes the caller's teams; a stored choice not among them is forgotten (it answers 404 now). */
  reconcile(teams: TeamSummary[]): void {
    const chosen = this.chosenState();
    const gone = chosen !== null && !teams.some((team) => team.id === chosen);
    // Pages shown for a team that is gone reload for the default one; the first list alone changes nothing.
    const wasKnown = this.teamsState() !== null;
    this.teamsState.set(teams);
    if (!gone) return;
    this.choose(null);
    if (wasKnown) this.generationState.update((value) => value + 1);
  }

  /** Acts for `teamId` from now on (null: the default team). */
  choose(teamId: string | null): void {
    const before = this.id();
    this.chosenState.set(teamId);
    if (this.id() !== before) this.generationState.update((value) => value + 1);
    try {
      if (teamId) localStorage.setItem(ACTING_TEAM_KEY, teamId);
      else localStorage.removeItem(ACTING_TEAM_KEY);
    } catch {
      // Storage refused (private mode): the choice lasts for this tab only.
    }
  }

  /** Replaces one team in the list (renamed, or a role changed) or adds it (created, joined). */
  upsert(team: TeamSummary): void {
    this.teamsState.update((teams) => {
      const list = teams ?? [];
      return list.some((item) => item.id === team.id)
        ? list.map((item) => (item.id === team.id ? team : item))
        : [...list, team];
    });
  }

  /** Signed out: nothing is known about the next person's teams. */
  clear(): void {
    this.teamsState.set(null);
    this.choose(null);
  }

  /** How to re-read the caller's teams; set by the session once someone is signed in. */
  setVerifier(verifier: (() => Promise<void>) | null): void {
    this.verifier = verifier;
  }

  /**
   * A call acting for a team answered 404: the team may be gone from under us (removed by an
   * admin in another tab). Re-reads the list once (not once per failing call); `reconcile` then
   * falls back to the default team if it is gone.
   */
  suspect(): Promise<void> {
    if (!this.verifier) return Promise.resolve();
    this.verifying ??= this.verifier()
      .catch(() => undefined)
      .finally(() => (this.verifying = null));
    return this.verifying;
  }
}

function readStored(): string | null {
  try {
    return localStorage.getItem(ACTING_TEAM_KEY);
  } catch {
    return null;
  }
}
