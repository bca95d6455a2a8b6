import { Injectable } from '@nestjs/common';
import { API_METRICS } from '@cineweave/contracts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The API's own Prometheus registry (never the global one, so tests can run several apps). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: API_METRICS.httpRequestDuration,
    help: 'HTTP request duration by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly jobsCreated = new Counter({
    name: API_METRICS.jobsCreated,
    help: 'Jobs admitted, by model and source.',
    labelNames: ['model', 'source'] as const,
    registers: [this.registry],
  });
  readonly admissionBatchSize = new Histogram({
    name: API_METRICS.admissionBatchSize,
    help: 'Admissions written by one statement: 1 when idle, more under load.',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });
  readonly jobsFinished = new Counter({
    name: API_METRICS.jobsFinished,
    help: 'Jobs that reached a final status, by status.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly creditsReserved = this.credits(API_METRICS.creditsReserved, 'Credits reserved at admission.');
  readonly creditsCaptured = this.credits(API_METRICS.creditsCaptured, 'Credits captured by succeeded jobs.');
  readonly creditsReleased = this.credits(
    API_METRICS.creditsReleased,
    'Credits released by failed, cancelled or timed-out jobs.',
  );
  readonly creditsGranted = this.credits(
    API_METRICS.creditsGranted,
    'Credits granted (sign-up, plans, admins).',
  );
  readonly creditsToppedUp = this.credits(API_METRICS.creditsToppedUp, 'Credits bought through payments.');
  readonly gpuSeconds = new Counter({
    name: API_METRICS.gpuSeconds,
    help: 'GPU seconds reported by workers for settled jobs.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly gpuCost = new Counter({
    name: API_METRICS.gpuCost,
    help: 'GPU cost in USD: GPU seconds x GPU_HOURLY_COST_USD / 3600.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'cineweave_api_' });
  }

  /**
   * A gauge its owner refreshes at scrape time: prom-client calls `collect` before reading it. A
   * refresh that fails (Redis or Postgres away) keeps the last value, so the rest of /metrics is
   * still served.
   */
  gauge<L extends string = never>(config: {
    name: string;
    help: string;
    labelNames?: readonly L[];
    collect: (gauge: Gauge<L>) => Promise<void>;
  }): Gauge<L> {
    const { collect, ...definition } = config;
    return new Gauge<L>({
      ...definition,
      registers: [this.registry],
      async collect() {
        await collect(this).catch(() => undefined);
      },
    });
  }

  private credits(name: string, help: string): Counter<string> {
    return new Counter({ name, help, registers: [this.registry] });
  }
}
