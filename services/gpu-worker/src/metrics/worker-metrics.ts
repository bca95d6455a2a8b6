import { WORKER_METRICS } from '@cineweave/contracts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type { PipelineStage } from '../engine/engine.ts';

/** The worker's own Prometheus registry (never the global one), prefix `cineweave_worker_`. */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly jobDuration: Histogram<'model' | 'resolution' | 'status'>;
  readonly stepSeconds: Histogram<'model' | 'resolution'>;
  readonly modelLoadSeconds: Gauge;
  readonly stageSeconds: Histogram<'stage'>;
  readonly gpuSeconds: Counter<'model'>;
  readonly gpuCost: Counter<'model'>;
  readonly busy: Gauge;

  constructor(private readonly gpuHourlyCostUsd: number) {
    collectDefaultMetrics({ register: this.registry, prefix: 'cineweave_worker_process_' });
    this.jobDuration = new Histogram({
      name: WORKER_METRICS.jobDuration,
      help: 'Wall time of a job from pickup to result, by model, resolution and outcome.',
      labelNames: ['model', 'resolution', 'status'],
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 2400, 3600],
      registers: [this.registry],
    });
    this.stepSeconds = new Histogram({
      name: WORKER_METRICS.stepSeconds,
      help: 'Seconds per denoising step (both CFG passes).',
      labelNames: ['model', 'resolution'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 20, 40, 80],
      registers: [this.registry],
    });
    this.modelLoadSeconds = new Gauge({
      name: WORKER_METRICS.modelLoadSeconds,
      help: 'Seconds it took to verify and load the model at start.',
      registers: [this.registry],
    });
    this.stageSeconds = new Histogram({
      name: WORKER_METRICS.stageSeconds,
      help: 'Seconds per pipeline stage (tokenize, text_encode, image_encode, sample, decode, generate, download, encode_video, moderate, sign, upload).',
      labelNames: ['stage'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1200],
      registers: [this.registry],
    });
    this.gpuSeconds = new Counter({
      name: WORKER_METRICS.gpuSeconds,
      help: 'Seconds the GPU (or CPU device) spent on jobs.',
      labelNames: ['model'],
      registers: [this.registry],
    });
    this.gpuCost = new Counter({
      name: WORKER_METRICS.gpuCost,
      help: 'GPU seconds priced at GPU_HOURLY_COST_USD.',
      labelNames: ['model'],
      registers: [this.registry],
    });
    this.busy = new Gauge({
      name: WORKER_METRICS.busy,
      help: '1 while the worker renders a job. The operator scales down idle workers only.',
      registers: [this.registry],
    });
  }

  recordGpuTime(model: string, seconds: number): void {
    this.gpuSeconds.inc({ model }, seconds);
    this.gpuCost.inc({ model }, (seconds * this.gpuHourlyCostUsd) / 3600);
  }

  startStage(stage: PipelineStage): () => void {
    const end = this.stageSeconds.startTimer({ stage });
    return () => void end();
  }

  observeStage(stage: PipelineStage, seconds: number): void {
    this.stageSeconds.observe({ stage }, seconds);
  }

  /** Runs one pipeline stage and times it into the stage histogram. */
  async timeStage<T>(stage: PipelineStage, run: () => Promise<T> | T): Promise<T> {
    const end = this.stageSeconds.startTimer({ stage });
    try {
      return await run();
    } finally {
      end();
    }
  }
}
