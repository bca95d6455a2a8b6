import { ACCOUNT_ANNOTATION, TEAM_ANNOTATION } from '@cineweave/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What a namespace's annotations say about who pays for its VideoJobs:
 * - `team`: `cineweave.io/team=<team id>` (wins over the legacy annotation when both are set);
 * - `malformed`: a team annotation that is not a team id at all;
 * - `legacy`: only the deprecated `cineweave.io/account=<user id>`: that user's personal team;
 * - `none`: neither: the namespace's VideoJobs wait until it is annotated.
 */
export type NamespaceBinding =
  | { kind: 'team'; teamId: string }
  | { kind: 'malformed'; value: string }
  | { kind: 'legacy'; userId: string }
  | { kind: 'none' };

export function bindingOf(annotations: Record<string, string> | undefined): NamespaceBinding {
  const team = annotations?.[TEAM_ANNOTATION]?.trim();
  if (team)
    return UUID.test(team)
      ? { kind: 'team', teamId: team.toLowerCase() }
      : { kind: 'malformed', value: team };
  const userId = annotations?.[ACCOUNT_ANNOTATION]?.trim();
  return userId ? { kind: 'legacy', userId } : { kind: 'none' };
}

/** Whether two annotation sets bind a namespace differently (a change worth reconciling its VideoJobs). */
export function bindingChanged(
  before: Record<string, string> | undefined,
  after: Record<string, string> | undefined,
): boolean {
  return JSON.stringify(bindingOf(before)) !== JSON.stringify(bindingOf(after));
}

const WHERE_THE_ID_IS = "the id is on the team's page in the portal, or in GET /v1/teams";

export function noTeamMessage(namespace: string): string {
  return (
    `Namespace ${namespace} is bound to no CineWeave team, so nobody would pay for this VideoJob. ` +
    `Bind it: kubectl annotate namespace ${namespace} ${TEAM_ANNOTATION}=<team id> (${WHERE_THE_ID_IS}). ` +
    'The VideoJob is submitted as soon as the annotation is set.'
  );
}

/** `malformed`: the value is no UUID at all; otherwise the API answered 404 for it. */
export function unknownTeamMessage(namespace: string, value: string, malformed = false): string {
  const why = malformed ? `"${value}" is not a team id (a UUID)` : `the CineWeave API knows no team ${value}`;
  return (
    `Namespace ${namespace} names a team in ${TEAM_ANNOTATION}, but ${why}. ` +
    `Fix it: kubectl annotate --overwrite namespace ${namespace} ${TEAM_ANNOTATION}=<team id> (${WHERE_THE_ID_IS}). ` +
    'The VideoJob is submitted as soon as the annotation changes.'
  );
}

/** The Warning on a namespace still bound by the deprecated annotation: the exact commands to migrate. */
export function legacyAnnotationMessage(
  namespace: string,
  userId: string,
  teamId: string | undefined,
): string {
  const team = teamId ?? '<team id>';
  return (
    `Namespace ${namespace} is bound by the deprecated annotation ${ACCOUNT_ANNOTATION}=${userId}; ` +
    `its VideoJobs are charged to that user's personal team${teamId ? ` ${teamId}` : ''}. ` +
    `Replace it: kubectl annotate namespace ${namespace} ${TEAM_ANNOTATION}=${team} && ` +
    `kubectl annotate namespace ${namespace} ${ACCOUNT_ANNOTATION}-` +
    (teamId ? '' : ` (${WHERE_THE_ID_IS})`)
  );
}
