import type { JobProgress, JobStage } from '@cineweave/contracts';

/** A stage of a job as the progress bar sees it, with its share of the job's wall time. */
export type ProgressPlan = readonly (readonly [stage: JobStage, weight: number])[];

export interface JobProgressOptions {
  plan: ProgressPlan;
  /** The job's denoising steps: `step` / `totalSteps` on the wire keep counting these. */
  steps: number;
  /** Hands one report to the queue; reports are sent one at a time, in order. */
  report(progress: JobProgress): Promise<void>;
  /** A report that could not be sent (Redis away): the job goes on, the next report catches up. */
  onReportError(error: unknown): void;
  /** Between two reports of the same stage; a new step or a new stage is reported at once. */
  minIntervalMs?: number;
  now?: () => number;
}

/**
 * Turns stage-aware progress (denoising steps, then decode, encode and upload) into one percentage
 * and an ETA, so the bar does not sit at 100 % while the video is decoded and uploaded.
 */
export class JobProgressTracker {
  private readonly offsets = new Map<JobStage, { start: number; weight: number }>();
  private readonly total: number;
  private readonly started: number;
  private readonly now: () => number;
  private readonly options: JobProgressOptions;
  private lastSent: { at: number; stage: JobStage | null; step: number } = {
    at: -Infinity,
    stage: null,
    step: -1,
  };
  private step = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(options: JobProgressOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    let start = 0;
    for (const [stage, weight] of options.plan) {
      this.offsets.set(stage, { start, weight });
      start += weight;
    }
    this.total = start;
  }

  /**
   * `done` of `total` units of `stage` are finished (0 when a stage starts, so the portal says
   * "Encoding…" while it runs). Stages not in the plan are ignored.
   */
  update(stage: JobStage, done: number, total: number): void {
    const slot = this.offsets.get(stage);
    if (!slot || total <= 0) return;
    const fraction = Math.min(1, Math.max(0, done / total));
    if (stage === 'denoise') this.step = Math.min(this.options.steps, Math.round(done));
    else if (stage === 'generate')
      this.step = Math.min(this.options.steps, Math.floor(fraction * this.options.steps));
    else this.step = this.options.steps;
    const overall = (slot.start + fraction * slot.weight) / this.total;
    const now = this.now();
    const due =
      stage !== this.lastSent.stage ||
      this.step !== this.lastSent.step ||
      fraction === 1 ||
      now - this.lastSent.at >= (this.options.minIntervalMs ?? 1000);
    if (!due) return;
    this.lastSent = { at: now, stage, step: this.step };
    const elapsedSeconds = (now - this.started) / 1000;
    const progress: JobProgress = {
      stage,
      step: this.step,
      totalSteps: this.options.steps,
      percent: Math.round(overall * 1000) / 10,
    };
    if (overall > 0) {
      progress.etaSeconds = Math.max(0, Math.round(((elapsedSeconds * (1 - overall)) / overall) * 10) / 10);
    }
    this.chain = this.chain
      .then(() => this.options.report(progress))
      .catch((error: unknown) => this.options.onReportError(error));
  }

  /** Resolves once every report so far has been handed over. */
  flush(): Promise<void> {
    return this.chain;
  }
}
