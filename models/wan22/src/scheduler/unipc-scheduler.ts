import { assertNotFinished, assertSameLength, type DenoisingScheduler } from './denoising-scheduler.ts';
import { flowMatchSchedule } from './flow-sigmas.ts';
import { UniPCKernel, type UniPCStepTerms } from './kernel/unipc-kernel.ts';

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
export class FlowUniPCScheduler implements DenoisingScheduler {
  readonly timesteps: readonly number[];
  readonly sigmas: Float32Array;
  private readonly order: number;
  private readonly solverType: 'bh1' | 'bh2';
  private readonly lowerOrderFinal: boolean;
  private readonly disableCorrector: ReadonlySet<number>;
  /** Kernel slots of the converted (x0) model outputs, oldest first; length = solver order. */
  private readonly modelOutputs: (number | null)[];
  private kernel: UniPCKernel | null = null;
  private lowerOrderNums = 0;
  private hasLastSample = false;
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
    this.modelOutputs = new Array<number | null>(this.order).fill(null);
  }

  get stepIndex(): number {
    return this.index;
  }

  /** Predictor order used by the last step (the official `this_order`). */
  get lastOrder(): number {
    return this.currentOrder;
  }

  /**
   * One step: x0 conversion, corrector (UniC, from the second step on) and predictor (UniP), fused
   * into a single pass of a wasm SIMD kernel (kernel/unipc-kernel.wat). Every element goes through
   * exactly the float32 operations, in exactly the order, of the official solver's tensor code, so
   * the result is bit-identical to doing them as separate tensor passes — without the ten-odd
   * passes and fresh 20 MB arrays per step at 720p. The history stays in the kernel's memory;
   * `out` may be `sample` itself.
   */
  step(modelOutput: Float32Array, sample: Float32Array, out?: Float32Array): Float32Array {
    assertNotFinished(this);
    assertSameLength(modelOutput, sample);
    const size = sample.length;
    const target = out ?? new Float32Array(size);
    if (target.length !== size) throw new Error(`the output buffer has ${target.length} values, not ${size}`);
    if (this.kernel && this.kernel.size !== size) {
      throw new Error(`this scheduler runs latents of ${this.kernel.size} values, got ${size}`);
    }
    const kernel = (this.kernel ??= new UniPCKernel(size, this.order));
    const useCorrector = this.index > 0 && !this.disableCorrector.has(this.index - 1) && this.hasLastSample;
    const corrector = useCorrector ? this.correctorTerms(this.currentOrder) : null;

    // Shift the history; the dropped slot receives this step's x0 prediction (the kernel reads
    // each element of it before it overwrites it). Until the history is full, slots are taken
    // in turn: 0, 1, ...
    const free = this.modelOutputs[0] ?? this.modelOutputs.filter((slot) => slot !== null).length;
    for (let i = 0; i < this.order - 1; i++) this.modelOutputs[i] = this.modelOutputs[i + 1];
    this.modelOutputs[this.order - 1] = free;

    const wanted = this.lowerOrderFinal
      ? Math.min(this.order, this.timesteps.length - this.index)
      : this.order;
    this.currentOrder = Math.min(wanted, this.lowerOrderNums + 1);
    const predictor = this.predictorTerms(this.currentOrder);

    kernel.step(modelOutput, sample, target, free, {
      sigma: this.sigmas[this.index],
      corrector,
      predictor,
    });
    this.hasLastSample = true;
    if (this.lowerOrderNums < this.order) this.lowerOrderNums++;
    this.index++;
    return target;
  }

  /**
   * UniC's scalars: it refines the sample the previous predictor produced, using this step's x0
   * prediction. Here the newest stored output belongs to sigma[i - 1], so output k to sigma[i - 1 - k].
   */
  private correctorTerms(order: number): NonNullable<UniPCStepTerms['corrector']> {
    const i = this.index;
    const c = this.bhTerms(i, i - 1, order, (k) => i - (k + 1));
    const rhos = order === 1 ? [0.5] : solve(c.R, c.b);
    return { ...c, rhos: rhos.slice(0, -1), rhoT: rhos[rhos.length - 1] };
  }

  /** UniP's scalars: from the sample at sigma[i] to sigma[i + 1]; m0 is this step's x0 prediction. */
  private predictorTerms(order: number): UniPCStepTerms['predictor'] {
    const i = this.index;
    // Older outputs: model_outputs[-(k + 1)] was taken at sigma[i - k].
    const c = this.bhTerms(i + 1, i, order, (k) => i - k);
    // The official predictor solves R[:-1, :-1] rho = b[:-1], except for order 2 where it uses 0.5.
    const rhos = order === 2 ? [0.5] : order > 2 ? solve(leading(c.R), c.b.slice(0, -1)) : [];
    return { ...c, rhos };
  }

  /**
   * The scalar terms of one B(h) update from sigma[s0Index] to sigma[tIndex], and the slots of the
   * older outputs m_k with their r_k (k = 1 .. order - 1), from which D1_k = (m_k - m0) / r_k.
   */
  private bhTerms(
    tIndex: number,
    s0Index: number,
    order: number,
    sigmaIndexOf: (k: number) => number,
  ): BhTerms {
    const m0 = this.modelOutputs[this.order - 1];
    if (m0 === null) throw new Error('UniPC has no model output yet: step() must convert one first');
    const sigmaT = this.sigmas[tIndex];
    const sigmaS0 = this.sigmas[s0Index];
    const alphaT = f(1 - sigmaT);
    const lambdaS0 = lambda(sigmaS0);
    const h = f(lambda(sigmaT) - lambdaS0);

    const rks: number[] = [];
    const older: number[] = [];
    for (let k = 1; k < order; k++) {
      const mk = this.modelOutputs[this.order - 1 - k];
      if (mk === null) throw new Error(`UniPC order ${order} needs ${k} older model outputs`);
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
  /** kernel slot of m0 */
  m0: number;
  /** kernel slots of m_k, k = 1 .. order - 1 (newest first) */
  older: number[];
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
