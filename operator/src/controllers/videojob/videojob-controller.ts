import {
  type InternalCreateJobRequest,
  type VideoJobSpec,
  type VideoJobStatus,
  API_GROUP,
  API_VERSION,
  CONDITION_REASONS,
  FINALIZER,
  VIDEOJOB,
  VIDEOJOB_CONDITIONS,
  VideoJobSpecSchema,
  type InternalJobView,
} from '@cineweave/contracts';
import type { Logger } from 'pino';
import type { CineweaveApiClient } from '../../cineweave-api/cineweave-api-client.ts';
import { ApiRefusal, ApiUnavailable } from '../../cineweave-api/cineweave-api-client.ts';
import type { KubeClient } from '../../kube/kube-client.ts';
import { isKubeStatus } from '../../kube/kube-client.ts';
import type { KubeObject } from '../../kube/kube-object.ts';
import { splitKey } from '../../kube/kube-object.ts';
import type { ResourceRef } from '../../kube/resource-paths.ts';
import { RESOURCES, resourcePath } from '../../kube/resource-paths.ts';
import type { Informer } from '../../runtime/informer.ts';
import type { ReconcileResult } from '../../runtime/work-queue.ts';
import type { EventRecorder } from '../event-recorder.ts';
import { sameJson } from '../../kube/same-json.ts';
import { findCondition } from '../conditions.ts';
import { type HoldTimings, DEFAULT_HOLD_TIMINGS, holdFor } from './held-submission.ts';
import { LegacyAnnotationWarnings } from './legacy-annotation-warnings.ts';
import { type NamespaceBinding, bindingOf, noTeamMessage, unknownTeamMessage } from './namespace-binding.ts';
import {
  failedStatus,
  heldStatus,
  isFinal,
  linkRefreshAt,
  pendingStatus,
  statusFromJob,
} from './videojob-status.ts';

export const VIDEOJOB_RESOURCE: ResourceRef = {
  group: API_GROUP,
  version: API_VERSION,
  plural: VIDEOJOB.plural,
  namespaced: true,
};

export type VideoJob = KubeObject & { spec?: unknown; status?: VideoJobStatus };

export interface VideoJobControllerOptions {
  client: KubeClient;
  api: CineweaveApiClient;
  namespaces: Informer<KubeObject>;
  /** The VideoJob informer: reconciles read from it and fall back to a GET after a conflict. */
  cache?: Informer<VideoJob>;
  events: EventRecorder;
  logger: Logger;
  /** Public address of the API, for the video route of an API that hands out no presigned links. */
  apiUrl: string;
  pollMs: number;
  /** How long before their expiry the presigned links in status.output are replaced. */
  linkRefreshMarginMs?: number;
  /** How long a deleted VideoJob waits for its running job to stop before letting go anyway. */
  cancelWaitMs?: number;
  /** When a submission held by a team limit is tried again (see held-submission.ts). */
  holdTimings?: HoldTimings;
  now?: () => Date;
}

/**
 * Reconciles one VideoJob: finalizer, spec validation, the team from the namespace annotation,
 * submission with the CR uid as idempotency key (held and retried while a team limit refuses it),
 * then the API job mirrored into status until it ends; deletion cancels the job before the
 * finalizer goes. Level-based: every step reads what
 * is there now and does only what is missing, so running it twice changes nothing.
 */
export class VideoJobController {
  readonly kind = VIDEOJOB.kind;
  private readonly now: () => Date;
  private readonly stale = new Set<string>();

  private readonly options: VideoJobControllerOptions;
  private readonly legacy: LegacyAnnotationWarnings;

  constructor(options: VideoJobControllerOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.legacy = new LegacyAnnotationWarnings(options.api, options.events, options.logger, this.now);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const path = resourcePath(VIDEOJOB_RESOURCE, namespace, name);
    // The cache is as new as the event that queued the key; after a 409 it is known to lag, so read afresh.
    let vj = this.stale.has(key) ? undefined : this.options.cache?.get(key);
    if (!vj) {
      try {
        vj = await this.options.client.get<VideoJob>(path);
      } catch (error) {
        if (isKubeStatus(error, 404)) return;
        throw error;
      }
    }
    this.stale.delete(key);
    try {
      return await this.reconcileObject(vj, key, path);
    } catch (error) {
      if (isKubeStatus(error, 409)) this.stale.add(key);
      throw error;
    }
  }

  private async reconcileObject(
    object: VideoJob,
    key: string,
    path: string,
  ): Promise<ReconcileResult | void> {
    let vj = object;
    const log = this.options.logger.child({ videojob: key, jobId: vj.status?.jobId });
    if (vj.metadata.deletionTimestamp) return this.finalize(vj, path, log);
    if (!vj.metadata.finalizers?.includes(FINALIZER)) {
      vj = await this.options.client.replace<VideoJob>(path, {
        ...vj,
        metadata: { ...vj.metadata, finalizers: [...(vj.metadata.finalizers ?? []), FINALIZER] },
      });
      log.debug('Added finalizer');
    }
    const status = vj.status;
    if (!status?.jobId) return this.submit(vj, path, log);
    return this.mirror(vj, status.jobId, path, log);
  }

  private async submit(vj: VideoJob, path: string, log: Logger): Promise<ReconcileResult | void> {
    const generation = vj.metadata.generation;
    const context = { generation, now: this.now() };
    // Refused for good at this generation: the spec cannot change after acceptance, nothing to redo.
    if (vj.status?.phase === 'Failed' && vj.status.observedGeneration === generation) return;
    const parsed = VideoJobSpecSchema.safeParse(vj.spec ?? {});
    if (!parsed.success) {
      const detail = parsed.error.issues
        .map((issue) => `spec.${issue.path.join('.')}: ${issue.message}`)
        .join('; ');
      return this.fail(vj, path, log, CONDITION_REASONS.invalidSpec, `The spec is not valid: ${detail}`);
    }
    const namespace = vj.metadata.namespace ?? 'default';
    const { binding, object: namespaceObject } = await this.bindingOf(namespace);
    switch (binding.kind) {
      case 'none':
        return this.waitForTeam(
          vj,
          path,
          log,
          CONDITION_REASONS.namespaceHasNoTeam,
          noTeamMessage(namespace),
        );
      case 'malformed':
        return this.waitForTeam(
          vj,
          path,
          log,
          CONDITION_REASONS.unknownTeam,
          unknownTeamMessage(namespace, binding.value, true),
        );
      case 'legacy':
        if (namespaceObject) await this.legacy.warnNamespace(namespaceObject, binding.userId);
        break;
    }
    const request: InternalCreateJobRequest = {
      uid: vj.metadata.uid ?? '',
      ...(binding.kind === 'team' ? { teamId: binding.teamId, namespace } : { userId: binding.userId }),
      spec: parsed.data as VideoJobSpec,
    };
    let job: InternalJobView;
    try {
      job = await this.options.api.submit(request);
    } catch (error) {
      if (error instanceof ApiRefusal) return this.refused(vj, path, log, error, namespace, binding);
      if (error instanceof ApiUnavailable) {
        await this.writeStatus(
          vj,
          path,
          pendingStatus(vj.status, CONDITION_REASONS.apiUnavailable, error.message, context),
        );
      }
      throw error;
    }
    const next = statusFromJob(vj.status, job, {
      ...context,
      apiUrl: this.options.apiUrl,
      linkRefreshMarginMs: this.options.linkRefreshMarginMs,
    });
    const written = await this.writeStatus(vj, path, next);
    log.info({ jobId: job.id, credits: job.creditsReserved }, 'Submitted job');
    this.options.events.record(
      written,
      'Normal',
      CONDITION_REASONS.submitted,
      'Submit',
      `Accepted as job ${job.id}; ${job.creditsReserved} credits reserved.`,
    );
    if (binding.kind === 'legacy') await this.legacy.warnVideoJob(written, binding.userId);
    this.recordPhaseChange(written, vj.status, next);
    // A job that already succeeded (a resubmission) is mirrored next, which fetches its links.
    return isFinal(next.phase) && next.phase !== 'Succeeded'
      ? undefined
      : { requeueAfterMs: this.options.pollMs };
  }

  private async refused(
    vj: VideoJob,
    path: string,
    log: Logger,
    error: ApiRefusal,
    namespace: string,
    binding: Exclude<NamespaceBinding, { kind: 'none' | 'malformed' }>,
  ): Promise<ReconcileResult | void> {
    const now = this.now();
    const queued = findCondition(vj.status?.conditions, VIDEOJOB_CONDITIONS.queued);
    const heldSince = queued?.status === 'True' ? new Date(queued.lastTransitionTime) : undefined;
    const hold = holdFor(error, heldSince, now, this.options.holdTimings ?? DEFAULT_HOLD_TIMINGS);
    if (hold) {
      const next = heldStatus(vj.status, hold.reason, hold.message, {
        generation: vj.metadata.generation,
        now,
      });
      const written = await this.writeStatus(vj, path, next);
      if (queued?.reason !== hold.reason) {
        log.info({ reason: hold.reason, retryInMs: hold.retryInMs }, 'Held VideoJob by a team limit');
        this.options.events.record(written, 'Normal', hold.reason, 'Submit', hold.message);
      }
      // Spread: a team's many held VideoJobs do not all come back in the same instant.
      return { requeueAfterMs: Math.round(hold.retryInMs * (0.9 + Math.random() * 0.2)) };
    }
    if (error.status === 404 && binding.kind === 'team') {
      return this.waitForTeam(
        vj,
        path,
        log,
        CONDITION_REASONS.unknownTeam,
        unknownTeamMessage(namespace, binding.teamId),
      );
    }
    if (error.status === 404) {
      return this.fail(
        vj,
        path,
        log,
        CONDITION_REASONS.noAccount,
        `No CineWeave account for user ${binding.kind === 'legacy' ? binding.userId : ''} (namespace ${namespace}): ${error.detail}`,
      );
    }
    return this.fail(
      vj,
      path,
      log,
      CONDITION_REASONS.invalidSpec,
      `The API refused the job: ${error.detail}`,
    );
  }

  /**
   * Pending with Accepted=False and a Warning, and no retry: the namespace's annotation is what
   * must change, and a change of the namespace reconciles its waiting VideoJobs (see Operator).
   */
  private async waitForTeam(
    vj: VideoJob,
    path: string,
    log: Logger,
    reason: string,
    message: string,
  ): Promise<void> {
    const next = pendingStatus(vj.status, reason, message, {
      generation: vj.metadata.generation,
      now: this.now(),
      leavesQueue: true,
    });
    const written = await this.writeStatus(vj, path, next);
    if (findCondition(vj.status?.conditions, VIDEOJOB_CONDITIONS.accepted)?.reason !== reason) {
      log.info({ reason }, 'VideoJob waits for its namespace to name a team');
      this.options.events.record(written, 'Warning', reason, 'Submit', message);
    }
  }

  private async fail(
    vj: VideoJob,
    path: string,
    log: Logger,
    reason: string,
    message: string,
  ): Promise<void> {
    const next = failedStatus(vj.status, reason, message, {
      generation: vj.metadata.generation,
      now: this.now(),
    });
    const written = await this.writeStatus(vj, path, next);
    log.info({ reason }, 'Failed VideoJob');
    if (vj.status?.phase !== 'Failed')
      this.options.events.record(written, 'Warning', reason, 'Submit', message);
  }

  private async mirror(
    vj: VideoJob,
    jobId: string,
    path: string,
    log: Logger,
  ): Promise<ReconcileResult | void> {
    const current = vj.status ?? {};
    if (isFinal(current.phase) && current.phase !== 'Succeeded') return;
    let job: InternalJobView;
    try {
      job = await this.options.api.getJob(jobId);
    } catch (error) {
      if (error instanceof ApiRefusal && error.status === 404) {
        log.warn({ jobId }, 'Found no API job for VideoJob; requeued');
        return { requeueAfterMs: this.options.pollMs * 6 };
      }
      throw error;
    }
    const next = statusFromJob(current, job, {
      generation: vj.metadata.generation,
      now: this.now(),
      apiUrl: this.options.apiUrl,
      linkRefreshMarginMs: this.options.linkRefreshMarginMs,
    });
    const written = await this.writeStatus(vj, path, next);
    this.recordPhaseChange(written, current, next);
    if (next.phase !== current.phase)
      log.info({ phase: next.phase, progress: next.progress }, 'Updated VideoJob phase');
    if (next.phase === 'Succeeded') {
      // Look again before the links expire (to sign new ones) and when the outputs do (Expired).
      const now = this.now().getTime();
      const refresh = next.output?.expiresAt
        ? linkRefreshAt(next.output.expiresAt, this.options.linkRefreshMarginMs) - now
        : Infinity;
      const expires = job.outputExpiresAt ? Date.parse(job.outputExpiresAt) + 1_000 - now : Infinity;
      const wait = Math.min(refresh, expires, 3_600_000);
      return { requeueAfterMs: Math.max(wait, this.options.pollMs) };
    }
    return isFinal(next.phase) ? undefined : { requeueAfterMs: this.options.pollMs };
  }

  private async finalize(vj: VideoJob, path: string, log: Logger): Promise<ReconcileResult | void> {
    if (!vj.metadata.finalizers?.includes(FINALIZER)) return;
    const jobId = vj.status?.jobId;
    if (jobId && !isFinal(vj.status?.phase)) {
      let job: InternalJobView | undefined;
      try {
        // Read first: a job that already ended (or a second pass over a stale cache) needs no cancel.
        job = await this.options.api.getJob(jobId);
        if (!this.jobIsFinal(job)) {
          await this.options.api.cancel(jobId);
          job = await this.options.api.getJob(jobId);
        }
      } catch (error) {
        if (!(error instanceof ApiRefusal && error.status === 404)) throw error;
      }
      const waitedMs = this.now().getTime() - Date.parse(vj.metadata.deletionTimestamp ?? '');
      if (job && !this.jobIsFinal(job)) {
        if (waitedMs < (this.options.cancelWaitMs ?? 60_000)) {
          // A running job stops at the worker's next step; the finalizer stays until it has settled.
          log.info({ jobId, status: job.status }, 'Requested cancellation; requeued until the job stops');
          return { requeueAfterMs: 1_000 };
        }
        log.warn({ jobId, waitedMs }, 'Released VideoJob before its job stopped; the API settles it');
      }
      log.info({ jobId }, 'Cancelled job');
      this.options.events.record(
        vj,
        'Normal',
        CONDITION_REASONS.cancelled,
        'Cancel',
        `Cancelled job ${jobId}; its reserved credits are released.`,
      );
    }
    try {
      await this.options.client.replace(path, {
        ...vj,
        metadata: { ...vj.metadata, finalizers: vj.metadata.finalizers.filter((item) => item !== FINALIZER) },
      });
    } catch (error) {
      if (isKubeStatus(error, 404)) return;
      throw error;
    }
    log.info('Removed finalizer');
  }

  private jobIsFinal(job: InternalJobView): boolean {
    return job.status !== 'queued' && job.status !== 'running';
  }

  private recordPhaseChange(
    object: VideoJob,
    before: VideoJobStatus | undefined,
    after: VideoJobStatus,
  ): void {
    if (before?.phase === after.phase) return;
    const events = this.options.events;
    switch (after.phase) {
      case 'Running':
        return events.record(
          object,
          'Normal',
          CONDITION_REASONS.running,
          'Render',
          'A GPU worker started rendering.',
        );
      case 'Succeeded':
        return events.record(
          object,
          'Normal',
          CONDITION_REASONS.succeeded,
          'Render',
          `The video is ready (${after.creditsCharged ?? 0} credits charged).`,
        );
      case 'Failed':
        return events.record(
          object,
          'Warning',
          CONDITION_REASONS.renderFailed,
          'Render',
          after.message ?? 'Rendering failed.',
        );
      case 'Cancelled':
        return events.record(
          object,
          'Normal',
          CONDITION_REASONS.cancelled,
          'Render',
          after.message ?? 'Cancelled.',
        );
      case 'Expired':
        return events.record(
          object,
          'Normal',
          CONDITION_REASONS.expired,
          'Retention',
          after.message ?? 'Outputs expired.',
        );
      default:
        return;
    }
  }

  /** Writes status through the /status subresource, guarded by the resourceVersion read. */
  private async writeStatus(vj: VideoJob, path: string, status: VideoJobStatus): Promise<VideoJob> {
    if (sameJson(vj.status, status)) return vj;
    return this.options.client.replace<VideoJob>(`${path}/status`, { ...vj, status });
  }

  /** The namespace's binding, from the cache, else (it may lag an annotation made a moment ago) the API server. */
  private async bindingOf(namespace: string): Promise<{ binding: NamespaceBinding; object?: KubeObject }> {
    const cached = this.options.namespaces.get(namespace);
    const binding = bindingOf(cached?.metadata.annotations);
    if (cached && binding.kind !== 'none') return { binding, object: cached };
    try {
      const fresh = await this.options.client.get(resourcePath(RESOURCES.namespaces, undefined, namespace));
      return { binding: bindingOf(fresh.metadata.annotations), object: fresh };
    } catch (error) {
      if (isKubeStatus(error, 404)) return { binding: { kind: 'none' } };
      throw error;
    }
  }
}
