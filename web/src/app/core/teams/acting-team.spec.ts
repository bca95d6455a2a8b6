import { TestBed } from '@angular/core/testing';
import { TEAM_HEADER as CONTRACT_TEAM_HEADER } from '@cineweave/contracts';
import { ApiClient, FETCH } from '../api/api-client';
import { AuthTokens } from '../auth/auth-tokens';
import { RUNTIME_CONFIG } from '../config/runtime-config';
import { aTeam, PERSONAL_ID, STUDIO_ID, studio } from '../../teams/teams.fixture';
import { ACTING_TEAM_KEY, ActingTeam, TEAM_HEADER } from './acting-team';

function setup(fetchFn: typeof fetch) {
  TestBed.configureTestingModule({
    providers: [
      { provide: FETCH, useValue: fetchFn },
      { provide: RUNTIME_CONFIG, useValue: { apiBaseUrl: 'http://api.test' } },
    ],
  });
  TestBed.inject(AuthTokens).use({
    mode: 'dev',
    init: async () => true,
    getToken: async () => 'dev:alice',
    signOut: async () => undefined,
  });
  return { client: TestBed.inject(ApiClient), acting: TestBed.inject(ActingTeam) };
}

const sentTeam = (fetchFn: ReturnType<typeof vi.fn<typeof fetch>>, call: number) =>
  (fetchFn.mock.calls[call][1]?.headers as Record<string, string>)[TEAM_HEADER];

describe(ActingTeam.name, () => {
  beforeEach(() => localStorage.clear());

  it("should send the contracts' team header", () => {
    expect(TEAM_HEADER).toBe(CONTRACT_TEAM_HEADER);
  });

  it('should send the chosen team with every call and none with calls about the person', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => Response.json({ items: [] }));
    const { client, acting } = setup(fetchFn);
    acting.reconcile([aTeam(), studio()]);

    await client.get('/v1/jobs');
    acting.choose(STUDIO_ID);
    await client.get('/v1/jobs');
    await client.get('/v1/teams', { team: null });
    await client.get(`/v1/teams/${PERSONAL_ID}`, { team: PERSONAL_ID });

    expect(sentTeam(fetchFn, 0)).toBe(PERSONAL_ID);
    expect(sentTeam(fetchFn, 1)).toBe(STUDIO_ID);
    expect(sentTeam(fetchFn, 2)).toBeUndefined();
    expect(sentTeam(fetchFn, 3)).toBe(PERSONAL_ID);
    expect(localStorage.getItem(ACTING_TEAM_KEY)).toBe(STUDIO_ID);
  });

  it('should fall back to the default team and forget the choice when the stored team is gone', () => {
    localStorage.setItem(ACTING_TEAM_KEY, STUDIO_ID);
    const { acting } = setup(vi.fn());
    expect(acting.id()).toBe(STUDIO_ID);

    acting.reconcile([aTeam()]);

    expect(acting.current()?.id).toBe(PERSONAL_ID);
    expect(localStorage.getItem(ACTING_TEAM_KEY)).toBeNull();
    // The first list is not a switch: the page shown was never for another team.
    expect(acting.generation()).toBe(0);
  });

  it('should re-read the teams once when calls for the chosen team answer 404, and reload pages for the default team', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () =>
      Response.json(
        { title: 'Not found', status: 404, detail: `Team ${STUDIO_ID} was not found among your teams.` },
        { status: 404, headers: { 'content-type': 'application/problem+json' } },
      ),
    );
    const { client, acting } = setup(fetchFn);
    acting.reconcile([aTeam(), studio()]);
    acting.choose(STUDIO_ID);
    const before = acting.generation();
    const verifier = vi.fn(async () => acting.reconcile([aTeam()]));
    acting.setVerifier(verifier);

    await Promise.all([
      expect(client.get('/v1/jobs')).rejects.toMatchObject({ status: 404 }),
      expect(client.get('/v1/credits')).rejects.toMatchObject({ status: 404 }),
    ]);
    await vi.waitFor(() => expect(acting.current()?.id).toBe(PERSONAL_ID));

    expect(verifier).toHaveBeenCalledTimes(1);
    expect(acting.generation()).toBe(before + 1);
  });

  it('should not suspect the team when a call about another team answers 404', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => new Response(null, { status: 404 }));
    const { client, acting } = setup(fetchFn);
    acting.reconcile([aTeam(), studio()]);
    const verifier = vi.fn(async () => undefined);
    acting.setVerifier(verifier);

    await expect(client.get(`/v1/teams/${STUDIO_ID}`, { team: STUDIO_ID })).rejects.toMatchObject({
      status: 404,
    });

    expect(verifier).not.toHaveBeenCalled();
  });
});
