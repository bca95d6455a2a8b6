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

/** Namespace annotation binding the namespace to an account: the owning user's id (identity `sub`). */
export const ACCOUNT_ANNOTATION = 'cineweave.io/account';

/** Pod annotation Kubernetes reads on scale-down: lower cost pods are removed first. */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';
