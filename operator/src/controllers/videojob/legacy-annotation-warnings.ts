import { CONDITION_REASONS } from '@cineweave/contracts';
import type { Logger } from 'pino';
import type { CineweaveApiClient } from '../../cineweave-api/cineweave-api-client.ts';
import type { KubeObject } from '../../kube/kube-object.ts';
import type { EventRecorder } from '../event-recorder.ts';
import { legacyAnnotationMessage } from './namespace-binding.ts';

/** How long a looked-up personal team and a namespace's warning last: once an hour is a reminder, not noise. */
const REPEAT_MS = 60 * 60_000;
const FAILED_LOOKUP_MS = 60_000;

/**
 * Warning events for namespaces still bound by the deprecated `cineweave.io/account` annotation,
 * naming the `cineweave.io/team` value to set (the user's personal team, which the API answers).
 * On the Namespace at most once an hour per operator leader, and on each VideoJob admitted from
 * it. Best effort: a failed lookup leaves a placeholder in the message and never holds a job.
 */
export class LegacyAnnotationWarnings {
  /** By user id; a failed lookup is remembered too (briefly), so that it costs one API call, not one per VideoJob. */
  private readonly teams = new Map<string, { teamId: string | undefined; at: number }>();
  private readonly warned = new Map<string, number>();

  private readonly api: CineweaveApiClient;
  private readonly events: EventRecorder;
  private readonly logger: Logger;
  private readonly now: () => Date;

  // Plain fields, not parameter properties: the operator runs on Node's type stripping, which has none.
  constructor(api: CineweaveApiClient, events: EventRecorder, logger: Logger, now: () => Date) {
    this.api = api;
    this.events = events;
    this.logger = logger;
    this.now = now;
  }

  /** Warns on the Namespace (recorded in `default`, where upstream keeps events of cluster-scoped objects). */
  async warnNamespace(namespace: KubeObject, userId: string): Promise<void> {
    const name = namespace.metadata.name;
    const now = this.now().getTime();
    if (now - (this.warned.get(name) ?? -Infinity) < REPEAT_MS) return;
    this.warned.set(name, now);
    const teamId = await this.teamOf(userId);
    this.events.record(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: namespace.metadata.uid } },
      'Warning',
      CONDITION_REASONS.deprecatedAnnotation,
      'Bind',
      legacyAnnotationMessage(name, userId, teamId),
    );
  }

  /** Warns on a VideoJob the legacy annotation charged. */
  async warnVideoJob(vj: KubeObject, userId: string): Promise<void> {
    const namespace = vj.metadata.namespace ?? 'default';
    this.events.record(
      vj,
      'Warning',
      CONDITION_REASONS.deprecatedAnnotation,
      'Submit',
      legacyAnnotationMessage(namespace, userId, await this.teamOf(userId)),
    );
  }

  private async teamOf(userId: string): Promise<string | undefined> {
    const now = this.now().getTime();
    const cached = this.teams.get(userId);
    if (cached && now - cached.at < (cached.teamId ? REPEAT_MS : FAILED_LOOKUP_MS)) return cached.teamId;
    try {
      const { teamId } = await this.api.personalTeam(userId);
      this.teams.set(userId, { teamId, at: now });
      return teamId;
    } catch (error) {
      this.teams.set(userId, { teamId: undefined, at: now });
      this.logger.warn({ userId, err: (error as Error).message }, 'Could not look up the personal team');
      return undefined;
    }
  }
}
