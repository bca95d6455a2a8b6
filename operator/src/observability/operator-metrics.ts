import { OPERATOR_METRICS, VIDEOJOB_PHASES } from '@cineweave/contracts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The operator's own registry, so that tests and several instances in one process stay apart. */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconcileTotal: Counter<'kind' | 'result'>;
  readonly reconcileDuration: Histogram<'kind' | 'result'>;
  readonly queueDepth: Gauge<'kind'>;
  readonly poolDesiredReplicas: Gauge<'namespace' | 'pool'>;
  readonly poolReadyReplicas: Gauge<'namespace' | 'pool'>;
  readonly poolMaxReplicas: Gauge<'namespace' | 'pool'>;
  readonly poolBacklog: Gauge<'namespace' | 'pool'>;
  readonly videoJobs: Gauge<'phase'>;
  readonly isLeader: Gauge;
  /** Phases of the VideoJobs in the informer cache; counted when Prometheus scrapes. */
  videoJobPhases: (() => Iterable<string | undefined>) | undefined;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics)
      collectDefaultMetrics({ register: this.registry, prefix: 'cineweave_operator_' });
    this.reconcileTotal = new Counter({
      name: OPERATOR_METRICS.reconcileTotal,
      help: 'Reconciles by kind and result (success, requeue, error).',
      labelNames: ['kind', 'result'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: OPERATOR_METRICS.reconcileDuration,
      help: 'Time one reconcile took, by kind and result.',
      labelNames: ['kind', 'result'],
      // Fine around 100 ms, the reconcile p99 target, so that histogram_quantile can tell 80 from 200.
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.queueDepth = new Gauge({
      name: OPERATOR_METRICS.queueDepth,
      help: 'Keys waiting in the work queue, by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.poolDesiredReplicas = new Gauge({
      name: OPERATOR_METRICS.poolDesiredReplicas,
      help: 'Worker replicas the backlog calls for, per WorkerPool.',
      labelNames: ['namespace', 'pool'],
      registers,
    });
    this.poolReadyReplicas = new Gauge({
      name: OPERATOR_METRICS.poolReadyReplicas,
      help: 'Worker replicas that are ready, per WorkerPool.',
      labelNames: ['namespace', 'pool'],
      registers,
    });
    this.poolMaxReplicas = new Gauge({
      name: OPERATOR_METRICS.poolMaxReplicas,
      help: 'maxReplicas of each WorkerPool (desired = max means jobs wait for a GPU).',
      labelNames: ['namespace', 'pool'],
      registers,
    });
    this.poolBacklog = new Gauge({
      name: OPERATOR_METRICS.poolBacklog,
      help: 'Waiting + active jobs of the pool model, per WorkerPool.',
      labelNames: ['namespace', 'pool'],
      registers,
    });
    this.videoJobs = new Gauge({
      name: OPERATOR_METRICS.videoJobsByPhase,
      help: 'VideoJobs in the watched namespaces, by phase.',
      labelNames: ['phase'],
      registers,
      collect: () => {
        const counts = new Map<string, number>(VIDEOJOB_PHASES.map((phase) => [phase, 0]));
        for (const phase of this.videoJobPhases?.() ?? []) {
          const name = phase ?? 'Pending';
          counts.set(name, (counts.get(name) ?? 0) + 1);
        }
        for (const [phase, count] of counts) this.videoJobs.set({ phase }, count);
      },
    });
    this.isLeader = new Gauge({
      name: OPERATOR_METRICS.leader,
      help: '1 while this instance holds the leader lease.',
      registers,
    });
  }
}
