import type { VideoJobStatus } from '@cineweave/contracts';
import type { Logger } from 'pino';
import type { CineweaveApiClient } from './cineweave-api/cineweave-api-client.ts';
import { EventRecorder } from './controllers/event-recorder.ts';
import { specOrDeletionChanged } from './controllers/predicates.ts';
import type { HoldTimings } from './controllers/videojob/held-submission.ts';
import { bindingChanged } from './controllers/videojob/namespace-binding.ts';
import type { VideoJob } from './controllers/videojob/videojob-controller.ts';
import { VIDEOJOB_RESOURCE, VideoJobController } from './controllers/videojob/videojob-controller.ts';
import type { BusyProbe } from './controllers/workerpool/pod-busy-probe.ts';
import type { WorkerTemplateConfig } from './controllers/workerpool/worker-deployment.ts';
import { POOL_LABEL } from './controllers/workerpool/worker-deployment.ts';
import { WORKERPOOL_RESOURCE, WorkerPoolController } from './controllers/workerpool/workerpool-controller.ts';
import type { KubeClient } from './kube/kube-client.ts';
import type { KubeObject } from './kube/kube-object.ts';
import { RESOURCES } from './kube/resource-paths.ts';
import { sameJson } from './kube/same-json.ts';
import type { OperatorMetrics } from './observability/operator-metrics.ts';
import { Informer, errorMessage } from './runtime/informer.ts';
import { LeaderElector } from './runtime/leader-election.ts';
import { WorkQueue } from './runtime/work-queue.ts';

export interface OperatorOptions {
  client: KubeClient;
  api: CineweaveApiClient;
  logger: Logger;
  metrics: OperatorMetrics;
  namespaces: readonly string[];
  apiUrl: string;
  identity: string;
  leaderElection: {
    namespace: string;
    name: string;
    leaseDurationSeconds: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
  };
  concurrency: number;
  resyncMs: number;
  jobPollMs: number;
  poolPollMs: number;
  template: WorkerTemplateConfig;
  probe: BusyProbe;
  /** Sees every reconcile's outcome and duration (benchmarks). */
  observeReconcile?: (kind: string, result: string, seconds: number) => void;
  /** How long before expiry the presigned links in a VideoJob's status are replaced. */
  linkRefreshMarginMs?: number;
  /** When VideoJobs held by a team limit are submitted again (tests shorten it). */
  holdTimings?: HoldTimings;
  /** Backoff of failed reconciles (tests shorten it). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/** One running set of informers, queues and controllers: what the leader runs. */
class ControllerSet {
  readonly videoJobs: Informer<VideoJob>;
  readonly pools: Informer<KubeObject>;
  readonly deployments: Informer<KubeObject>;
  readonly namespaceCache: Informer<KubeObject>;
  readonly videoJobQueue: WorkQueue;
  readonly poolQueue: WorkQueue;
  private stopped = false;

  constructor(options: OperatorOptions) {
    const { client, logger, metrics } = options;
    const informerOptions = { namespaces: options.namespaces, resyncMs: options.resyncMs, logger };
    this.videoJobs = new Informer<VideoJob>(client, VIDEOJOB_RESOURCE, informerOptions);
    this.pools = new Informer(client, WORKERPOOL_RESOURCE, informerOptions);
    this.deployments = new Informer(client, RESOURCES.deployments, {
      ...informerOptions,
      labelSelector: POOL_LABEL,
    });
    this.namespaceCache = new Informer(client, RESOURCES.namespaces, { ...informerOptions, namespaces: [] });
    const events = new EventRecorder(client, 'cineweave.io/operator', options.identity, logger);

    const videoJobController = new VideoJobController({
      client,
      api: options.api,
      namespaces: this.namespaceCache,
      cache: this.videoJobs,
      events,
      logger,
      apiUrl: options.apiUrl,
      pollMs: options.jobPollMs,
      linkRefreshMarginMs: options.linkRefreshMarginMs,
      ...(options.holdTimings ? { holdTimings: options.holdTimings } : {}),
    });
    const poolController = new WorkerPoolController({
      client,
      api: options.api,
      events,
      metrics,
      logger,
      template: options.template,
      probe: options.probe,
      pollMs: options.poolPollMs,
    });
    this.videoJobQueue = this.queueFor(
      videoJobController.kind,
      (key) => videoJobController.reconcile(key),
      options,
    );
    this.poolQueue = this.queueFor(poolController.kind, (key) => poolController.reconcile(key), options);

    this.videoJobs.onChange((key, type, object, previous) => {
      if (specOrDeletionChanged(type, object, previous)) this.videoJobQueue.add(key);
    });
    // A namespace annotated with a team (or re-annotated): its VideoJobs waiting for one go now.
    this.namespaceCache.onChange((_key, type, object, previous) => {
      if (type !== 'ADDED' && type !== 'MODIFIED') return;
      if (!bindingChanged(previous?.metadata.annotations, object.metadata.annotations)) return;
      for (const vj of this.videoJobs.list()) {
        if (vj.metadata.namespace === object.metadata.name && !vj.status?.jobId) {
          this.videoJobQueue.add(keyOf(vj));
        }
      }
    });
    // Our own status writes need no reconcile; spec changes and deletions do (the poll covers the rest).
    this.pools.onChange((key, type, object, previous) => {
      if (specOrDeletionChanged(type, object, previous)) this.poolQueue.add(key);
    });
    // A worker Deployment's pod counts changed: its pool's status should say so.
    this.deployments.onChange((_key, type, object, previous) => {
      const pool = object.metadata.labels?.[POOL_LABEL];
      if (!pool || !object.metadata.namespace) return;
      if (type === 'MODIFIED' && previous && sameJson(object.status, previous.status)) return;
      this.poolQueue.add(`${object.metadata.namespace}/${pool}`);
    });
  }

  private queueFor(
    kind: string,
    reconcile: (key: string) => Promise<unknown>,
    options: OperatorOptions,
  ): WorkQueue {
    const { metrics, logger } = options;
    return new WorkQueue({
      name: kind,
      concurrency: options.concurrency,
      reconcile: reconcile as (key: string) => Promise<void>,
      retryBaseMs: options.retryBaseMs ?? 500,
      retryMaxMs: options.retryMaxMs ?? 60_000,
      onDepth: (depth) => metrics.queueDepth.set({ kind }, depth),
      onResult: (key, result, seconds, error) => {
        metrics.reconcileTotal.inc({ kind, result });
        metrics.reconcileDuration.observe({ kind, result }, seconds);
        options.observeReconcile?.(kind, result, seconds);
        if (error)
          logger.warn({ kind, key, err: errorMessage(error) }, 'Failed to reconcile; requeued with backoff');
      },
    });
  }

  /** Informers that have not listed their resource yet (empty once the caches are warm). */
  get unsynced(): string[] {
    return [this.videoJobs, this.pools, this.deployments, this.namespaceCache]
      .filter((informer) => !informer.hasSynced)
      .map((informer) => informer.resource.plural);
  }

  async start(): Promise<void> {
    this.namespaceCache.start();
    this.videoJobs.start();
    this.pools.start();
    this.deployments.start();
    await Promise.all([
      this.namespaceCache.waitForSync(),
      this.videoJobs.waitForSync(),
      this.pools.waitForSync(),
    ]);
    if (this.stopped) return;
    // Keys added before the workers start are kept; start after the caches are warm.
    this.videoJobQueue.start();
    this.poolQueue.start();
    for (const vj of this.videoJobs.list()) this.videoJobQueue.add(keyOf(vj));
    for (const pool of this.pools.list()) this.poolQueue.add(keyOf(pool));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.videoJobQueue.stop(), this.poolQueue.stop()]);
    await Promise.all([
      this.videoJobs.stop(),
      this.pools.stop(),
      this.deployments.stop(),
      this.namespaceCache.stop(),
    ]);
  }
}

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace}/${object.metadata.name}`;
}

/**
 * The operator: campaigns for the leader Lease and runs the controllers only while it leads, so a
 * standby replica takes over within one lease duration and two never reconcile at once.
 */
export class Operator {
  private readonly elector: LeaderElector;
  private controllers: ControllerSet | undefined;
  private transition: Promise<void> = Promise.resolve();

  private readonly options: OperatorOptions;

  constructor(options: OperatorOptions) {
    this.options = options;
    this.elector = new LeaderElector(options.client, {
      ...options.leaderElection,
      identity: options.identity,
      logger: options.logger,
      onStartedLeading: () => this.serialize(() => this.startControllers()),
      onStoppedLeading: () => this.serialize(() => this.stopControllers()),
    });
    options.metrics.videoJobPhases = () =>
      (this.controllers?.videoJobs.list() ?? []).map(
        (vj) => (vj.status as VideoJobStatus | undefined)?.phase,
      );
  }

  get isLeader(): boolean {
    return this.elector.isLeader;
  }

  /** The running controllers, for tests that wait on caches or queues. */
  get running(): ControllerSet | undefined {
    return this.controllers;
  }

  start(): void {
    this.elector.start();
  }

  /**
   * /readyz: the leader is ready once every informer has listed its resource (before that it would
   * act on empty caches); a standby is ready while its lease loop can see the lease, so that it
   * could take over. Leadership itself is not required: a rollout must not wait for a standby to
   * win a lease it never will.
   */
  readiness(): { ok: boolean; detail: string } {
    if (!this.elector.isLeader) {
      return this.elector.leaseHealthy
        ? { ok: true, detail: 'standby; the lease loop sees the lease' }
        : { ok: false, detail: 'standby; the lease loop has not reached the lease within a lease duration' };
    }
    const controllers = this.controllers;
    if (!controllers) return { ok: false, detail: 'leading; starting controllers' };
    const waiting = controllers.unsynced;
    return waiting.length === 0
      ? { ok: true, detail: 'leading; caches synced' }
      : { ok: false, detail: `leading; waiting for the caches of ${waiting.join(', ')}` };
  }

  async stop(): Promise<void> {
    await this.elector.stop();
    await this.transition;
  }

  private serialize(step: () => Promise<void>): Promise<void> {
    this.transition = this.transition.then(step, step);
    return this.transition;
  }

  private async startControllers(): Promise<void> {
    this.options.metrics.isLeader.set(1);
    const set = new ControllerSet(this.options);
    this.controllers = set;
    await set.start();
    this.options.logger.info({ namespaces: this.options.namespaces.join(',') || '*' }, 'Started controllers');
  }

  private async stopControllers(): Promise<void> {
    this.options.metrics.isLeader.set(0);
    const set = this.controllers;
    this.controllers = undefined;
    await set?.stop();
    this.options.logger.info('Stopped controllers');
  }
}
