import type { Condition, WorkerPoolSpec, WorkerPoolStatus } from '@cineweave/contracts';
import {
  API_GROUP,
  API_VERSION,
  CONDITION_REASONS,
  POD_DELETION_COST_ANNOTATION,
  WORKERPOOL,
  WORKERPOOL_CONDITIONS,
  WorkerPoolSpecSchema,
  desiredReplicas,
} from '@cineweave/contracts';
import type { Logger } from 'pino';
import type { CineweaveApiClient } from '../../cineweave-api/cineweave-api-client.ts';
import type { KubeClient } from '../../kube/kube-client.ts';
import { isKubeStatus } from '../../kube/kube-client.ts';
import type { KubeObject } from '../../kube/kube-object.ts';
import { splitKey } from '../../kube/kube-object.ts';
import type { ResourceRef } from '../../kube/resource-paths.ts';
import { RESOURCES, resourcePath } from '../../kube/resource-paths.ts';
import { sameJson } from '../../kube/same-json.ts';
import type { OperatorMetrics } from '../../observability/operator-metrics.ts';
import type { ReconcileResult } from '../../runtime/work-queue.ts';
import type { ConditionInput } from '../conditions.ts';
import { findCondition, removeCondition, setCondition } from '../conditions.ts';
import type { EventRecorder } from '../event-recorder.ts';
import { engineConflicts, serverEngine } from './engine-container.ts';
import type { WorkerPod } from './engine-status.ts';
import { engineReadyCondition } from './engine-status.ts';
import type { BusyProbe } from './pod-busy-probe.ts';
import type { ScaleOutcome } from './scale-decision.ts';
import { decideScale } from './scale-decision.ts';
import type { WorkerTemplateConfig } from './worker-deployment.ts';
import { POOL_LABEL, deploymentName, workerDeployment } from './worker-deployment.ts';

export const WORKERPOOL_RESOURCE: ResourceRef = {
  group: API_GROUP,
  version: API_VERSION,
  plural: WORKERPOOL.plural,
  namespaced: true,
};
export const FIELD_MANAGER = 'cineweave-operator';
/** Deletion costs: Kubernetes removes the lowest first, so idle workers go before busy ones. */
export const BUSY_POD_COST = '1000';
export const IDLE_POD_COST = '0';

type WorkerPool = KubeObject & { spec?: unknown; status?: WorkerPoolStatus };
type Deployment = KubeObject & {
  spec?: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number };
};

export interface WorkerPoolControllerOptions {
  client: KubeClient;
  api: CineweaveApiClient;
  events: EventRecorder;
  metrics: OperatorMetrics;
  logger: Logger;
  template: WorkerTemplateConfig;
  probe: BusyProbe;
  pollMs: number;
  now?: () => number;
}

/**
 * Reconciles one WorkerPool: reads the backlog of its model, decides the replicas (up at once,
 * down after the delay and never below the busy workers), marks busy pods expensive to delete,
 * server-side applies the worker Deployment and reports it all in status.
 */
export class WorkerPoolController {
  readonly kind = WORKERPOOL.kind;
  private readonly now: () => number;

  private readonly options: WorkerPoolControllerOptions;

  constructor(options: WorkerPoolControllerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace = 'default', name } = splitKey(key);
    const { client, api, template } = this.options;
    const path = resourcePath(WORKERPOOL_RESOURCE, namespace, name);
    let pool: WorkerPool;
    try {
      pool = await client.get<WorkerPool>(path);
    } catch (error) {
      if (!isKubeStatus(error, 404)) throw error;
      // The Deployment goes with its owner (garbage collection through its ownerReference).
      this.forgetPool(namespace, name);
      return;
    }
    if (pool.metadata.deletionTimestamp) return;
    const log = this.options.logger.child({ workerpool: key });
    const generation = pool.metadata.generation;
    const parsed = WorkerPoolSpecSchema.safeParse(pool.spec ?? {});
    const engine = parsed.success ? serverEngine(parsed.data.engine) : undefined;
    const problems = parsed.success
      ? engineConflicts(engine, template.metricsPort)
      : parsed.error.issues.map((issue) => `spec.${issue.path.join('.')}: ${issue.message}`);
    if (!parsed.success || problems.length > 0) {
      const message = `The spec is not valid: ${problems.join('; ')}`;
      const conditions = setCondition(
        pool.status?.conditions,
        {
          type: WORKERPOOL_CONDITIONS.available,
          status: 'False',
          reason: CONDITION_REASONS.invalidSpec,
          message,
        },
        generation,
        new Date(this.now()),
      );
      await this.writeStatus(pool, path, { ...pool.status, observedGeneration: generation, conditions });
      return;
    }
    const spec: WorkerPoolSpec = parsed.data;
    const stats = await api.queueStats();
    const model = stats.models.find((entry) => entry.model === spec.model);
    const backlog = model ? model.waiting + model.active : 0;
    const desired = desiredReplicas(backlog, spec);

    const deploymentPath = resourcePath(RESOURCES.deployments, namespace, deploymentName(name));
    const deployment = await client.get<Deployment>(deploymentPath).catch((error: unknown) => {
      if (isKubeStatus(error, 404)) return undefined;
      throw error;
    });
    const current = deployment?.spec?.replicas ?? 0;
    // Pods are read when a scale-down must spare busy workers, and for the engine's readiness.
    const pods = desired < current || engine ? await this.listPods(namespace, name) : [];
    const busy = desired < current ? await this.markBusyPods(namespace, pods, log) : 0;
    // Since when demand has been lower: from status, so that a new leader honours the delay served.
    const pending = findCondition(pool.status?.conditions, WORKERPOOL_CONDITIONS.scaleDownPending);
    const lowSince = pending?.status === 'True' ? Date.parse(pending.lastTransitionTime) : NaN;
    const decision = decideScale({
      current,
      desired,
      busy,
      lowSince: Number.isNaN(lowSince) ? undefined : lowSince,
      scaleDownDelayMs: spec.scaleDownDelaySeconds * 1000,
      now: this.now(),
    });

    const identity = { name, namespace, uid: pool.metadata.uid ?? '' };
    const applied = await client.apply<Deployment>(
      deploymentPath,
      workerDeployment(identity, spec, decision.replicas, template),
      FIELD_MANAGER,
    );
    if (!deployment) log.info({ deployment: applied.metadata.name }, 'Created Deployment');
    if (decision.replicas !== current) {
      log.info(
        { deployment: applied.metadata.name, from: current, to: decision.replicas, backlog },
        'Scaled Deployment',
      );
      this.options.events.record(
        pool,
        'Normal',
        'Scaled',
        'Scale',
        `Scaled ${applied.metadata.name} from ${current} to ${decision.replicas} replicas (backlog ${backlog}).`,
      );
    }

    const ready = applied.status?.readyReplicas ?? 0;
    const now = new Date(this.now());
    const wanted = Math.ceil(backlog / spec.jobsPerReplica);
    let conditions: Condition[] = setCondition(
      pool.status?.conditions,
      ready >= spec.minReplicas
        ? {
            type: WORKERPOOL_CONDITIONS.available,
            status: 'True',
            reason: CONDITION_REASONS.minimumReplicasAvailable,
            message: `${ready} of at least ${spec.minReplicas} workers are ready.`,
          }
        : {
            type: WORKERPOOL_CONDITIONS.available,
            status: 'False',
            reason: CONDITION_REASONS.minimumReplicasUnavailable,
            message: `${ready} workers are ready; the pool wants at least ${spec.minReplicas}.`,
          },
      generation,
      now,
    );
    conditions = setCondition(
      conditions,
      wanted > spec.maxReplicas
        ? {
            type: WORKERPOOL_CONDITIONS.scalingLimited,
            status: 'True',
            reason: CONDITION_REASONS.atMaxReplicas,
            message: `The backlog of ${backlog} calls for ${wanted} workers; maxReplicas is ${spec.maxReplicas}.`,
          }
        : {
            type: WORKERPOOL_CONDITIONS.scalingLimited,
            status: 'False',
            reason: CONDITION_REASONS.withinLimits,
            message: `The backlog of ${backlog} fits within maxReplicas ${spec.maxReplicas}.`,
          },
      generation,
      now,
    );
    conditions = setCondition(
      conditions,
      scaleDownCondition(decision, {
        current,
        desired,
        busy,
        delaySeconds: spec.scaleDownDelaySeconds,
        now: now.getTime(),
      }),
      generation,
      // A pending scale-down starts when demand first dropped: that instant is the transition time.
      decision.lowSince === undefined ? now : new Date(decision.lowSince),
    );
    conditions = engine
      ? setCondition(conditions, engineReadyCondition(pods, engine), generation, now)
      : removeCondition(conditions, WORKERPOOL_CONDITIONS.engineReady);
    const status: WorkerPoolStatus = {
      replicas: applied.status?.replicas ?? 0,
      readyReplicas: ready,
      desiredReplicas: desired,
      backlog,
      observedGeneration: generation,
      conditions,
      ...(decision.replicas !== current
        ? { lastScaleTime: now.toISOString() }
        : pool.status?.lastScaleTime
          ? { lastScaleTime: pool.status.lastScaleTime }
          : {}),
    };
    await this.writeStatus(pool, path, status);
    this.options.metrics.poolDesiredReplicas.set({ namespace, pool: name }, desired);
    this.options.metrics.poolReadyReplicas.set({ namespace, pool: name }, ready);
    this.options.metrics.poolMaxReplicas.set({ namespace, pool: name }, spec.maxReplicas);
    this.options.metrics.poolBacklog.set({ namespace, pool: name }, backlog);
    return { requeueAfterMs: Math.min(this.options.pollMs, decision.recheckInMs ?? Infinity) };
  }

  /**
   * Reads every worker's busy gauge and sets its deletion cost, so that the ReplicaSet removes idle
   * workers first. Returns how many are busy or could not be proven idle.
   */
  private async markBusyPods(namespace: string, pods: readonly WorkerPod[], log: Logger): Promise<number> {
    const { client, probe } = this.options;
    const live = pods.filter((pod) => !pod.metadata.deletionTimestamp);
    const flags = await Promise.all(live.map((pod) => probe(pod)));
    let busy = 0;
    await Promise.all(
      live.map(async (pod, index) => {
        const isBusy = flags[index] !== false;
        if (isBusy) busy++;
        const cost = isBusy ? BUSY_POD_COST : IDLE_POD_COST;
        if (pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION] === cost) return;
        await client.mergePatch(resourcePath(RESOURCES.pods, namespace, pod.metadata.name), {
          metadata: { annotations: { [POD_DELETION_COST_ANNOTATION]: cost } },
        });
        log.debug({ pod: pod.metadata.name, cost }, 'Set pod deletion cost');
      }),
    );
    return busy;
  }

  private async listPods(namespace: string, pool: string): Promise<WorkerPod[]> {
    const pods = await this.options.client.list<WorkerPod>(resourcePath(RESOURCES.pods, namespace), {
      labelSelector: `${POOL_LABEL}=${pool}`,
    });
    return pods.items;
  }

  private async writeStatus(pool: WorkerPool, path: string, status: WorkerPoolStatus): Promise<void> {
    if (sameJson(pool.status, status)) return;
    await this.options.client.replace(`${path}/status`, { ...pool, status });
  }

  private forgetPool(namespace: string, name: string): void {
    this.options.metrics.poolDesiredReplicas.remove({ namespace, pool: name });
    this.options.metrics.poolReadyReplicas.remove({ namespace, pool: name });
    this.options.metrics.poolMaxReplicas.remove({ namespace, pool: name });
    this.options.metrics.poolBacklog.remove({ namespace, pool: name });
  }
}

/** ScaleDownPending: True while demand is below the workers, its transition time the start of that. */
function scaleDownCondition(
  decision: ScaleOutcome,
  facts: { current: number; desired: number; busy: number; delaySeconds: number; now: number },
): ConditionInput {
  const type = WORKERPOOL_CONDITIONS.scaleDownPending;
  if (decision.lowSince === undefined) {
    return {
      type,
      status: 'False',
      reason: CONDITION_REASONS.demandMet,
      message: `The backlog calls for ${facts.desired} workers; the pool has ${decision.replicas}.`,
    };
  }
  if (facts.now - decision.lowSince >= facts.delaySeconds * 1000) {
    return {
      type,
      status: 'True',
      reason: CONDITION_REASONS.busyWorkers,
      message: `The backlog calls for ${facts.desired} workers; ${facts.busy} busy workers are kept until they finish.`,
    };
  }
  return {
    type,
    status: 'True',
    reason: CONDITION_REASONS.lowDemand,
    message: `The backlog calls for ${facts.desired} of ${facts.current} workers; idle ones go after ${facts.delaySeconds}s of lower demand.`,
  };
}
