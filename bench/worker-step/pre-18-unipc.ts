// The host loop's UniPC as it was before issue 18 (a pass and a fresh 20 MB array per operation),
// kept verbatim only so that bench/worker-step can time the old host loop against the new one in
// the same run and check that both give the same bits. Not used by the product.
import {
  assertNotFinished,
  assertSameLength,
  type DenoisingScheduler,
} from '../../models/wan22/src/scheduler/denoising-scheduler.ts';
import { flowMatchSchedule } from '../../models/wan22/src/scheduler/flow-sigmas.ts';

/** float32 rounding: the official solver runs on float32 tensors, scalars included. */
const f = Math.fround;

export interface UniPCOptions {
  steps: number;
  shift: number;
  numTrainTimesteps?: number;
  /** Predictor order (official default 2). */
  solverOrder?: number;
  /** bh2 (official default) or bh1. */
  solverType?: 'bh1' | 'bh2';
  /** Use a first-order step at the end (official default true). */
  lowerOrderFinal?: boolean;
  /** Step indices after which the corrector is skipped (official default none). */
  disableCorrector?: readonly number[];
}

/**
 * FlowUniPCMultistepScheduler of Wan 2.2 (UniPC for flow matching) with predict_x0 and the
 * flow_prediction parameterisation, i.e. what WanTI2V samples with.
 *
 * Every scalar and element operation is rounded to float32 in the order the official torch code
 * performs it, so the trajectory stays within float32 noise of the official one over 50 steps.
 * Per step: the model output is converted to an x0 prediction; from the second step on, the
 * corrector (UniC) first refines the incoming sample with the new prediction; then the predictor
 * (UniP) produces the next sample. The predictor order warms up (1, then 2) and with
 * lowerOrderFinal the last step is first order (which, with final sigma 0, returns x0 itself).
 */
export class Pre18UniPCScheduler implements DenoisingScheduler {
  readonly timesteps: readonly number[];
  readonly sigmas: Float32Array;
  private readonly order: number;
  private readonly solverType: 'bh1' | 'bh2';
  private readonly lowerOrderFinal: boolean;
  private readonly disableCorrector: ReadonlySet<number>;
  /** Converted (x0) model outputs, oldest first; length = solver order. */
  private readonly modelOutputs: (Float32Array | null)[];
  private lowerOrderNums = 0;
  private lastSample: Float32Array | null = null;
  private currentOrder = 0;
  /**
   * Starts at 0. The official scheduler looks its first index up from the first timestep and would
   * take the second occurrence of a repeated one (only past ~200 steps, and it then fails at the
   * last step); the loop here always starts at the first timestep.
   */
  private index = 0;

  constructor(options: UniPCOptions) {
    const schedule = flowMatchSchedule(options);
    this.timesteps = schedule.timesteps;
    this.sigmas = schedule.sigmas;
    this.order = options.solverOrder ?? 2;
    if (!Number.isInteger(this.order) || this.order < 1 || this.order > 3) {
      throw new Error(`UniPC solver order must be 1, 2 or 3, got ${this.order}`);
    }
    this.solverType = options.solverType ?? 'bh2';
    this.lowerOrderFinal = options.lowerOrderFinal ?? true;
    this.disableCorrector = new Set(options.disableCorrector ?? []);
    this.modelOutputs = new Array<Float32Array | null>(this.order).fill(null);
  }

  get stepIndex(): number {
    return this.index;
  }

  /** Predictor order used by the last step (the official `this_order`). */
  get lastOrder(): number {
    return this.currentOrder;
  }

  step(modelOutput: Float32Array, sample: Float32Array): Float32Array {
    assertNotFinished(this);
    assertSameLength(modelOutput, sample);
    const useCorrector =
      this.index > 0 && !this.disableCorrector.has(this.index - 1) && this.lastSample !== null;

    const converted = this.convertModelOutput(modelOutput, sample);
    let current = sample;
    if (useCorrector && this.lastSample) {
      current = this.correct(converted, this.lastSample, this.currentOrder);
    }

    for (let i = 0; i < this.order - 1; i++) this.modelOutputs[i] = this.modelOutputs[i + 1];
    this.modelOutputs[this.order - 1] = converted;

    const wanted = this.lowerOrderFinal
      ? Math.min(this.order, this.timesteps.length - this.index)
      : this.order;
    this.currentOrder = Math.min(wanted, this.lowerOrderNums + 1);

    this.lastSample = current;
    const next = this.predict(current, this.currentOrder);
    if (this.lowerOrderNums < this.order) this.lowerOrderNums++;
    this.index++;
    return next;
  }

  /** x0 = sample - sigma * v (flow prediction). */
  private convertModelOutput(modelOutput: Float32Array, sample: Float32Array): Float32Array {
    const out = scaled(this.sigmas[this.index], modelOutput);
    return difference(sample, out, out);
  }

  /** UniP: from the sample at sigma[i] to sigma[i + 1]. */
  private predict(sample: Float32Array, order: number): Float32Array {
    const i = this.index;
    // Older outputs: model_outputs[-(k + 1)] was taken at sigma[i - k].
    const c = this.bhTerms(i + 1, i, order, (k) => i - k);
    // The official predictor solves R[:-1, :-1] rho = b[:-1], except for order 2 where it uses 0.5.
    const rhos = order === 2 ? [0.5] : order > 2 ? solve(leading(c.R), c.b.slice(0, -1)) : [];
    const { m0, older, rks, sigmaRatio, alphaPhi, alphaBh } = c;
    const base = baseTerm(sigmaRatio, sample, alphaPhi, m0);
    if (older.length === 0) return base;
    // base - alphaBh * sum_k rho_k D1_k
    return difference(base, scaled(alphaBh, historySum(rhos, older, rks, m0)), base);
  }

  /** UniC: refines the sample the previous predictor produced, using this step's x0 prediction. */
  private correct(thisOutput: Float32Array, lastSample: Float32Array, order: number): Float32Array {
    const i = this.index;
    // Here the newest stored output belongs to sigma[i - 1], so output k to sigma[i - 1 - k].
    const c = this.bhTerms(i, i - 1, order, (k) => i - (k + 1));
    const rhos = order === 1 ? [0.5] : solve(c.R, c.b);
    const rhoT = rhos[rhos.length - 1];
    const { m0, older, rks, sigmaRatio, alphaPhi, alphaBh } = c;
    const base = baseTerm(sigmaRatio, lastSample, alphaPhi, m0);
    // rho_t * (x0_t - m0), plus sum_k rho_k D1_k when there is history
    const newest = scaled(rhoT, difference(thisOutput, m0));
    const total = older.length === 0 ? newest : sum(historySum(rhos, older, rks, m0), newest, newest);
    return difference(base, scaled(alphaBh, total, total), base);
  }

  /**
   * The scalar terms of one B(h) update from sigma[s0Index] to sigma[tIndex], and the older outputs
   * m_k with their r_k (k = 1 .. order - 1), from which D1_k = (m_k - m0) / r_k.
   */
  private bhTerms(
    tIndex: number,
    s0Index: number,
    order: number,
    sigmaIndexOf: (k: number) => number,
  ): BhTerms {
    const m0 = this.modelOutputs[this.order - 1];
    if (!m0) throw new Error('UniPC has no model output yet: step() must convert one first');
    const sigmaT = this.sigmas[tIndex];
    const sigmaS0 = this.sigmas[s0Index];
    const alphaT = f(1 - sigmaT);
    const lambdaS0 = lambda(sigmaS0);
    const h = f(lambda(sigmaT) - lambdaS0);

    const rks: number[] = [];
    const older: Float32Array[] = [];
    for (let k = 1; k < order; k++) {
      const mk = this.modelOutputs[this.order - 1 - k];
      if (!mk) throw new Error(`UniPC order ${order} needs ${k} older model outputs`);
      rks.push(f(f(lambda(this.sigmas[sigmaIndexOf(k)]) - lambdaS0) / h));
      older.push(mk);
    }
    const rksWithOne = [...rks, 1];

    const hh = f(-h); // predict_x0
    const hPhi1 = f(Math.expm1(hh));
    const bh = this.solverType === 'bh2' ? hPhi1 : hh;
    let hPhiK = f(f(hPhi1 / hh) - 1);
    let factorial = 1;
    const R: number[][] = [];
    const b: number[] = [];
    for (let p = 1; p <= order; p++) {
      R.push(rksWithOne.map((r) => f(r ** (p - 1))));
      b.push(f(f(hPhiK * factorial) / bh));
      factorial *= p + 1;
      hPhiK = f(f(hPhiK / hh) - f(1 / factorial));
    }
    return {
      m0,
      older,
      rks,
      R,
      b,
      sigmaRatio: f(sigmaT / sigmaS0),
      alphaPhi: f(alphaT * hPhi1),
      alphaBh: f(alphaT * bh),
    };
  }
}

interface BhTerms {
  m0: Float32Array;
  /** m_k, k = 1 .. order - 1 (newest first) */
  older: Float32Array[];
  /** r_k for the older outputs */
  rks: number[];
  R: number[][];
  b: number[];
  /** sigma_t / sigma_s0 */
  sigmaRatio: number;
  /** alpha_t * h phi_1(h) */
  alphaPhi: number;
  /** alpha_t * B(h) */
  alphaBh: number;
}

/** sum_k rho_k D1_k with D1_k = (m_k - m0) / r_k, accumulated in float32 in the official einsum's order. */
function historySum(
  rhos: readonly number[],
  older: readonly Float32Array[],
  rks: readonly number[],
  m0: Float32Array,
): Float32Array {
  let acc: Float32Array | null = null;
  for (let k = 0; k < older.length; k++) {
    const term = difference(older[k], m0);
    quotient(term, rks[k], term);
    scaled(rhos[k], term, term);
    acc = acc ? sum(acc, term, acc) : term;
  }
  if (!acc) throw new Error('UniPC history is empty');
  return acc;
}

/** sigmaRatio * sample - alphaPhi * m0, each product rounded to float32 as the official code does. */
function baseTerm(
  sigmaRatio: number,
  sample: Float32Array,
  alphaPhi: number,
  m0: Float32Array,
): Float32Array {
  const left = scaled(sigmaRatio, sample);
  return difference(left, scaled(alphaPhi, m0), left);
}

// Element-wise float32 operations. Each result is stored into a Float32Array, which rounds it to
// float32 exactly as Math.fround would, but runs an order of magnitude faster than calling
// Math.fround per element (V8 does not inline it in these loops); the solver's per-step cost is
// part of every denoising step at 720p (5M latents).
function scaled(
  factor: number,
  x: Float32Array,
  out: Float32Array = new Float32Array(x.length),
): Float32Array {
  for (let j = 0; j < x.length; j++) out[j] = factor * x[j];
  return out;
}

function difference(
  x: Float32Array,
  y: Float32Array,
  out: Float32Array = new Float32Array(x.length),
): Float32Array {
  for (let j = 0; j < x.length; j++) out[j] = x[j] - y[j];
  return out;
}

function sum(x: Float32Array, y: Float32Array, out: Float32Array = new Float32Array(x.length)): Float32Array {
  for (let j = 0; j < x.length; j++) out[j] = x[j] + y[j];
  return out;
}

function quotient(
  x: Float32Array,
  divisor: number,
  out: Float32Array = new Float32Array(x.length),
): Float32Array {
  for (let j = 0; j < x.length; j++) out[j] = x[j] / divisor;
  return out;
}

function leading(matrix: number[][]): number[][] {
  return matrix.slice(0, -1).map((row) => row.slice(0, -1));
}

function lambda(sigma: number): number {
  return f(f(Math.log(f(1 - sigma))) - f(Math.log(sigma)));
}

/** Gaussian elimination with partial pivoting in float32 (what LAPACK sgesv does on a tiny system). */
function solve(matrix: readonly number[][], rhs: readonly number[]): number[] {
  const n = rhs.length;
  const a = matrix.map((row) => [...row]);
  const x = [...rhs];
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (a[pivot][col] === 0)
      throw new Error('UniPC coefficient matrix is singular: check the sigma schedule');
    [a[col], a[pivot]] = [a[pivot], a[col]];
    [x[col], x[pivot]] = [x[pivot], x[col]];
    const inv = f(1 / a[col][col]);
    for (let r = col + 1; r < n; r++) {
      const l = f(a[r][col] * inv);
      for (let c = col; c < n; c++) a[r][c] = f(a[r][c] - f(l * a[col][c]));
      x[r] = f(x[r] - f(l * x[col]));
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let acc = x[r];
    for (let c = r + 1; c < n; c++) acc = f(acc - f(a[r][c] * x[c]));
    x[r] = f(acc / a[r][r]);
  }
  return x;
}
