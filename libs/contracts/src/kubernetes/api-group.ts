/** The CineWeave Kubernetes API group, its version and the names the operator relies on. */
export const API_GROUP = 'cineweave.io';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;

export const VIDEOJOB = {
  kind: 'VideoJob',
  plural: 'videojobs',
  singular: 'videojob',
  shortNames: ['vj'],
} as const;
export const WORKERPOOL = {
  kind: 'WorkerPool',
  plural: 'workerpools',
  singular: 'workerpool',
  shortNames: ['wp'],
} as const;
export const CATEGORY = 'cineweave';

/** Finalizer that lets the operator cancel a job (and release its credits) before a VideoJob goes. */
export const FINALIZER = 'cineweave.io/finalizer';

/**
 * Namespace annotation binding the namespace to a CineWeave team: the team's id (a UUID, shown on
 * the team's page and by `GET /v1/teams`). VideoJobs in the namespace are charged to that team.
 */
export const TEAM_ANNOTATION = 'cineweave.io/team';

/**
 * Deprecated: the annotation that bound a namespace to one person's account (their user id).
 * Still honoured when TEAM_ANNOTATION is absent (the job is charged to that person's personal
 * team), with a Warning event asking to replace it by TEAM_ANNOTATION.
 */
export const ACCOUNT_ANNOTATION = 'cineweave.io/account';

/**
 * The user id jobs submitted from a team-annotated namespace are recorded under (`jobs.user_id`):
 * a service identity per namespace, created on first use, never a member of any team (a team's
 * per-member monthly cap counts each namespace as one submitter).
 */
export function namespaceIdentity(namespace: string): string {
  return `kubernetes:${namespace}`;
}

/** Pod annotation Kubernetes reads on scale-down: lower cost pods are removed first. */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';
