import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { CineweaveApi } from '../core/api/cineweave-api';
import { SessionStore } from '../core/auth/session.store';
import { CreditsStore } from '../core/credits/credits.store';
import { ACTING_TEAM_KEY, ActingTeam } from '../core/teams/acting-team';
import { aTeam, PERSONAL_ID, STUDIO_ID, studio } from './teams.fixture';
import { sortTeams, TeamsStore } from './teams.store';

function setup(api: Partial<CineweaveApi>, listed = [aTeam(), studio()]) {
  const credits = { refresh: vi.fn(async () => undefined) };
  let list = listed;
  const session = {
    teamsError: signal<string | null>(null),
    reloadTeams: vi.fn(async () => TestBed.inject(ActingTeam).reconcile(list)),
  };
  TestBed.configureTestingModule({
    providers: [
      provideRouter([{ path: '**', children: [] }]),
      { provide: CineweaveApi, useValue: api },
      { provide: SessionStore, useValue: session },
      { provide: CreditsStore, useValue: credits },
    ],
  });
  TestBed.inject(ActingTeam).reconcile(list);
  return {
    store: TestBed.inject(TeamsStore),
    acting: TestBed.inject(ActingTeam),
    router: TestBed.inject(Router),
    credits,
    session,
    setList: (next: typeof list) => (list = next),
  };
}

describe(TeamsStore.name, () => {
  beforeEach(() => localStorage.clear());

  it('should act for the chosen team, keep the choice and re-read credits when switching', async () => {
    const { store, acting, credits } = setup({});
    expect(store.current()?.id).toBe(PERSONAL_ID);
    const generation = acting.generation();

    await store.switchTo(STUDIO_ID);

    expect(store.current()?.name).toBe('Trailer studio');
    expect(localStorage.getItem(ACTING_TEAM_KEY)).toBe(STUDIO_ID);
    expect(credits.refresh).toHaveBeenCalled();
    expect(acting.generation()).toBe(generation + 1);
  });

  it("should leave a job's page for the gallery when switching, since the job is the old team's", async () => {
    const { store, router } = setup({});
    await router.navigateByUrl('/jobs/6f1c1f9e-8f0a-4b8e-9d55-0a4a7c2b9e11');

    await store.switchTo(STUDIO_ID);

    expect(router.url).toBe('/jobs');
  });

  it("should open the new team's page when switching on a team page", async () => {
    const { store, router } = setup({});
    await router.navigateByUrl(`/teams/${PERSONAL_ID}`);

    await store.switchTo(STUDIO_ID);

    expect(router.url).toBe(`/teams/${STUDIO_ID}`);
  });

  it('should switch to a team it creates', async () => {
    const created = studio({ id: '00000000-0000-4000-8000-0000000000c3', name: 'Dailies', role: 'owner' });
    const createTeam = vi.fn(async () => created);
    const { store, setList } = setup({ createTeam }, [aTeam()]);
    setList([aTeam(), created]);

    await store.create({ name: 'Dailies' });

    expect(createTeam).toHaveBeenCalledWith({ name: 'Dailies' });
    expect(store.current()?.id).toBe(created.id);
    expect(store.teams().map((team) => team.name)).toEqual(['Personal', 'Dailies']);
  });

  it('should switch to the team an accepted invitation joined', async () => {
    const joined = studio({ role: 'member' });
    const acceptInvitation = vi.fn(async () => joined);
    const { store, setList } = setup({ acceptInvitation }, [aTeam()]);
    setList([aTeam(), joined]);

    await store.join('tok_abc');

    expect(acceptInvitation).toHaveBeenCalledWith('tok_abc');
    expect(store.current()?.id).toBe(STUDIO_ID);
  });

  it('should list the default team first, then personal ones, then by name', () => {
    const names = sortTeams([
      studio({ name: 'Zeta' }),
      studio({ name: 'Alpha', id: '00000000-0000-4000-8000-0000000000d4' }),
      aTeam({ isDefault: false, name: 'Mine' }),
      studio({ name: 'Home', isDefault: true, id: '00000000-0000-4000-8000-0000000000e5' }),
    ]).map((team) => team.name);

    expect(names).toEqual(['Home', 'Mine', 'Alpha', 'Zeta']);
  });
});
