import {
  type VideoJobSpec,
  type VideoJobStatus,
  ACCOUNT_ANNOTATION,
  API_GROUP,
  API_VERSION,
  CONDITION_REASONS,
  FINALIZER,
  VIDEOJOB,
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
import { failedStatus, isFinal, linkRefreshAt, pendingStatus, statusFromJob } from './videojob-status.ts';

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
  now?: () => Date;
}

/**
 * Reconciles one VideoJob: finalizer, spec validation, account from the namespace annotation,
 * submission with the CR uid as idempotency key, then the API job mirrored into status until it
 * ends; deletion cancels the job before the finalizer goes. Level-based: every step reads what
 * is there now and does only what is missing, so running it twice changes nothing.
 */
export class VideoJobController {
  readonly kind = VIDEOJOB.kind;
  private readonly now: () => Date;
  private readonly stale = new Set<string>();

  private readonly options: VideoJobControllerOptions;

  constructor(options: VideoJobControllerOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
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
    const userId = await this.accountOf(namespace);
    if (!userId) {
      return this.fail(
        vj,
        path,
        log,
        CONDITION_REASONS.noAccount,
        `Namespace ${namespace} has no ${ACCOUNT_ANNOTATION} annotation: annotate it with the owning user's id.`,
      );
    }
    let job: InternalJobView;
    try {
      job = await this.options.api.submit({
        uid: vj.metadata.uid ?? '',
        userId,
        spec: parsed.data as VideoJobSpec,
      });
    } catch (error) {
      if (error instanceof ApiRefusal) return this.refused(vj, path, log, error, namespace, userId);
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
    userId: string,
  ): Promise<ReconcileResult | void> {
    switch (error.status) {
      case 404:
        return this.fail(
          vj,
          path,
          log,
          CONDITION_REASONS.noAccount,
          `No CineWeave account for user ${userId} (namespace ${namespace}): ${error.detail}`,
        );
      case 402:
        return this.fail(vj, path, log, CONDITION_REASONS.insufficientCredits, error.detail);
      case 429: {
        // The account runs as many jobs as its plan allows: wait for a slot rather than fail.
        const next = pendingStatus(vj.status, CONDITION_REASONS.activeJobLimit, error.detail, {
          generation: vj.metadata.generation,
          now: this.now(),
        });
        await this.writeStatus(vj, path, next);
        return { requeueAfterMs: Math.max(this.options.pollMs, 5_000) };
      }
      default:
        return this.fail(
          vj,
          path,
          log,
          CONDITION_REASONS.invalidSpec,
          `The API refused the job: ${error.detail}`,
        );
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

  private async accountOf(namespace: string): Promise<string | undefined> {
    const cached = this.options.namespaces.get(namespace)?.metadata.annotations?.[ACCOUNT_ANNOTATION];
    if (cached) return cached;
    // The cache may lag an annotation made a moment ago: ask the API server before failing a job.
    try {
      const fresh = await this.options.client.get(resourcePath(RESOURCES.namespaces, undefined, namespace));
      return fresh.metadata.annotations?.[ACCOUNT_ANNOTATION] || undefined;
    } catch (error) {
      if (isKubeStatus(error, 404)) return undefined;
      throw error;
    }
  }
}
