import { API_METRICS, OPERATOR_METRICS, QUEUE_NAMES, WORKER_METRICS } from '@cineweave/contracts';

/**
 * The CineWeave Grafana dashboard, built from the contracts' metric names so that a renamed metric
 * cannot leave a silently empty panel behind. `sync-files.ts` writes it to deploy/grafana/ and into
 * the chart, which ships it as a ConfigMap for Grafana's dashboard sidecar.
 */
interface Target {
  expr: string;
  legendFormat: string;
}
interface Panel {
  title: string;
  description: string;
  unit: string;
  targets: Target[];
  kind?: 'timeseries' | 'stat';
}

/** Every per-model work queue (`video-jobs.<model>`, see workQueueName). */
const jobsQueue = `queue=~"${QUEUE_NAMES.videoJobs}[.].+"`;

const rows: { title: string; panels: Panel[] }[] = [
  {
    title: 'Jobs',
    panels: [
      {
        title: 'Jobs created per minute',
        description: 'Admissions, by where they came from (portal, API key, VideoJob).',
        unit: 'short',
        targets: [
          { expr: `sum by (source) (rate(${API_METRICS.jobsCreated}[5m])) * 60`, legendFormat: '{{source}}' },
        ],
      },
      {
        title: 'Jobs finished per minute',
        description: 'Outcomes: succeeded, failed, cancelled, expired.',
        unit: 'short',
        targets: [
          {
            expr: `sum by (status) (rate(${API_METRICS.jobsFinished}[5m])) * 60`,
            legendFormat: '{{status}}',
          },
        ],
      },
      {
        title: 'p95 job duration',
        description: 'Wall time of a job on a worker, by resolution (95th percentile over 30 minutes).',
        unit: 's',
        targets: [
          {
            expr: `histogram_quantile(0.95, sum by (le, resolution) (rate(${WORKER_METRICS.jobDuration}_bucket[30m])))`,
            legendFormat: '{{resolution}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Queue and workers',
    panels: [
      {
        title: 'Queue',
        description:
          "Jobs in the work queue's shallow buffer, jobs the fair dispatcher holds for a free worker, and jobs being rendered.",
        unit: 'short',
        targets: [
          {
            expr: `sum by (queue) (${API_METRICS.queueWaiting}{${jobsQueue}})`,
            legendFormat: 'waiting {{queue}}',
          },
          {
            // Every API replica reports the same Postgres count.
            expr: `max by (queue) (${API_METRICS.fairQueueHeld}{${jobsQueue}})`,
            legendFormat: 'held by the fair queue {{queue}}',
          },
          {
            expr: `sum by (queue) (${API_METRICS.queueActive}{${jobsQueue}})`,
            legendFormat: 'active {{queue}}',
          },
        ],
      },
      {
        title: 'Worker pool replicas',
        description: 'Workers each pool wants for its backlog, and workers that loaded the model.',
        unit: 'short',
        targets: [
          {
            expr: `sum by (pool) (${OPERATOR_METRICS.poolDesiredReplicas})`,
            legendFormat: '{{pool}} desired',
          },
          { expr: `sum by (pool) (${OPERATOR_METRICS.poolReadyReplicas})`, legendFormat: '{{pool}} ready' },
        ],
      },
      {
        title: 'Busy workers',
        description: 'Workers rendering a job right now (the operator never removes these).',
        unit: 'short',
        targets: [{ expr: `sum(${WORKER_METRICS.busy})`, legendFormat: 'busy' }],
      },
    ],
  },
  {
    title: 'GPU time and money',
    panels: [
      {
        title: 'GPU-seconds per hour',
        description: 'GPU time spent on settled jobs.',
        unit: 's',
        targets: [
          { expr: `sum by (model) (rate(${API_METRICS.gpuSeconds}[1h])) * 3600`, legendFormat: '{{model}}' },
        ],
      },
      {
        title: 'GPU cost per hour',
        description: 'GPU-seconds times GPU_HOURLY_COST_USD.',
        unit: 'currencyUSD',
        targets: [
          { expr: `sum by (model) (rate(${API_METRICS.gpuCost}[1h])) * 3600`, legendFormat: '{{model}}' },
        ],
      },
      {
        title: 'Credits per hour by kind',
        description:
          'Ledger movements: reserved at admission, captured or released at settlement, granted, topped up.',
        unit: 'short',
        targets: [
          { expr: `sum(increase(${API_METRICS.creditsReserved}[1h]))`, legendFormat: 'reserved' },
          { expr: `sum(increase(${API_METRICS.creditsCaptured}[1h]))`, legendFormat: 'captured' },
          { expr: `sum(increase(${API_METRICS.creditsReleased}[1h]))`, legendFormat: 'released' },
          { expr: `sum(increase(${API_METRICS.creditsGranted}[1h]))`, legendFormat: 'granted' },
          { expr: `sum(increase(${API_METRICS.creditsToppedUp}[1h]))`, legendFormat: 'topped up' },
        ],
      },
    ],
  },
  {
    title: 'Health',
    panels: [
      {
        title: 'API 5xx ratio',
        description: 'Share of API responses that are server errors.',
        unit: 'percentunit',
        targets: [
          {
            expr:
              `sum(rate(${API_METRICS.httpRequestDuration}_count{status=~"5.."}[5m]))` +
              ` / sum(rate(${API_METRICS.httpRequestDuration}_count[5m]))`,
            legendFormat: '5xx',
          },
        ],
      },
      {
        title: 'Outbox lag',
        description: 'Age of the oldest admitted job not yet on the queue.',
        unit: 's',
        targets: [{ expr: `max(${API_METRICS.outboxLag})`, legendFormat: 'lag' }],
      },
      {
        title: 'Operator reconcile p99',
        description: 'Reconcile duration by kind.',
        unit: 's',
        targets: [
          {
            expr: `histogram_quantile(0.99, sum by (le, kind) (rate(${OPERATOR_METRICS.reconcileDuration}_bucket[10m])))`,
            legendFormat: '{{kind}}',
          },
        ],
      },
    ],
  },
];

const datasource = { type: 'prometheus', uid: '${datasource}' };

export function grafanaDashboard(): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
    });
    y += 1;
    row.panels.forEach((panel, index) => {
      panels.push({
        id: id++,
        type: panel.kind ?? 'timeseries',
        title: panel.title,
        description: panel.description,
        datasource,
        gridPos: { h: 8, w: 8, x: index * 8, y },
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
        targets: panel.targets.map((target, i) => ({
          refId: String.fromCharCode(65 + i),
          datasource,
          expr: target.expr,
          legendFormat: target.legendFormat,
        })),
      });
    });
    y += 8;
  }
  return {
    uid: 'cineweave-overview',
    title: 'CineWeave',
    description: 'Jobs, queue, worker pools, GPU time and cost, credits, and health of a CineWeave install.',
    tags: ['cineweave'],
    editable: true,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    templating: {
      list: [
        { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {} },
      ],
    },
    panels,
  };
}

/** Every PromQL expression of the dashboard, for the tests. */
export function dashboardExpressions(): string[] {
  return rows.flatMap((row) => row.panels.flatMap((panel) => panel.targets.map((target) => target.expr)));
}
