/**
 * MagCache-style step caching for the denoising loop (Ma et al., "MagCache: Fast Video Generation
 * with Magnitude-Aware Cache", 2025): what the DiT adds changes in magnitude slowly and steadily
 * between neighbouring steps, so a step may reuse the last computed one instead of calling the
 * DiT, until the accumulated magnitude change says the reuse has drifted too far.
 *
 * MagCache caches the residual of the transformer blocks inside the network; the loop sees the DiT
 * whole, so the cached quantity here is its output, the flow prediction v (for flow matching the
 * slowly varying one: v - x would carry the latent's own step-to-step change; on the tiny
 * reference pipeline reusing v gave lower errors at the same share of skipped calls).
 *
 * The magnitude ratio is measured online (no calibration run per model): after each computed
 * step, ratio = mean|v_t| / mean|v_prev| of the cond branch; a skipped step is charged
 * |1 - ratio^k| for its k-th step since the last computed one, and a step is skipped while the
 * charge so far stays under the threshold and at most `maxSkips` steps in a row are skipped. The
 * first `retainFraction` of the steps (where the video's layout forms), the first two computed
 * steps (which measure the first ratio) and the last step (which sets x0) always run the DiT.
 */
export interface StepCacheOptions {
  /** Accumulated relative magnitude error allowed before the DiT must run again (0 disables). */
  readonly threshold: number;
  /** Most steps skipped in a row (default 2). */
  readonly maxSkips?: number;
  /** Share of the first steps that always run the DiT (default 0.2). */
  readonly retainFraction?: number;
}

/** Chosen from the table in the README (bench/step-cache); the `balanced` preset uses it. */
export const DEFAULT_STEP_CACHE: StepCacheOptions = { threshold: 0.01, maxSkips: 2, retainFraction: 0.2 };

export class StepCache {
  private readonly threshold: number;
  private readonly maxSkips: number;
  private readonly retainSteps: number;
  private readonly totalSteps: number;
  /** Prediction of each branch at the last computed step. */
  private readonly predictions = new Map<string, Float32Array>();
  private lastMagnitude = 0;
  private lastComputedStep = -1;
  private ratio = 1;
  private skipsInRow = 0;
  private accumulated = 0;
  private computed = 0;
  private skipped = 0;

  constructor(options: StepCacheOptions, totalSteps: number) {
    if (!(options.threshold >= 0))
      throw new Error(`the step cache threshold must be >= 0, got ${options.threshold}`);
    this.threshold = options.threshold;
    this.maxSkips = options.maxSkips ?? 2;
    this.retainSteps = Math.ceil((options.retainFraction ?? 0.2) * totalSteps);
    this.totalSteps = totalSteps;
  }

  /** DiT calls made and skipped so far (per step, both branches count as one decision). */
  get stats(): { computedSteps: number; skippedSteps: number } {
    return { computedSteps: this.computed, skippedSteps: this.skipped };
  }

  /** Whether step `step` may reuse the kept predictions instead of calling the DiT. */
  shouldSkip(step: number): boolean {
    const canSkip =
      this.threshold > 0 &&
      step >= this.retainSteps &&
      step < this.totalSteps - 1 && // the last step sets the final x0: always computed
      this.computed >= 2 && // a ratio has been measured
      this.skipsInRow < this.maxSkips;
    if (!canSkip) return false;
    const charge = Math.abs(1 - this.ratio ** (this.skipsInRow + 1));
    if (this.accumulated + charge >= this.threshold) return false;
    this.accumulated += charge;
    this.skipsInRow++;
    this.skipped++;
    return true;
  }

  /** The prediction of a skipped step (the branch's last computed one), copied into `out`. */
  reuse(branch: string, out: Float32Array): Float32Array {
    const cached = this.predictions.get(branch);
    if (!cached) throw new Error(`the step cache has no prediction for the ${branch} branch`);
    out.set(cached);
    return out;
  }

  /**
   * Records a computed step's prediction for `branch`; call for every branch of the step. Only the
   * primary branch (cond) measures the magnitude ratio and closes the step.
   */
  record(branch: string, step: number, prediction: Float32Array, primary: boolean): void {
    const kept = this.predictions.get(branch) ?? new Float32Array(prediction.length);
    kept.set(prediction);
    this.predictions.set(branch, kept);
    if (!primary) return;
    let sum = 0;
    for (let i = 0; i < prediction.length; i++) sum += Math.abs(prediction[i]);
    const magnitude = sum / prediction.length;
    // Per-step ratio: after skipped steps, the change spans several steps.
    if (this.lastMagnitude > 0 && magnitude > 0 && step > this.lastComputedStep) {
      this.ratio = (magnitude / this.lastMagnitude) ** (1 / (step - this.lastComputedStep));
    }
    this.lastMagnitude = magnitude;
    this.lastComputedStep = step;
    this.computed++;
    this.skipsInRow = 0;
    this.accumulated = 0;
  }
}
