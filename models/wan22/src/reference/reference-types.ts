/**
 * The reference-check contract.
 *
 * A reference directory (like ../shared/reference/wan22 or test/fixtures/wan22) holds safetensors
 * files and an `index.json` describing them. Every file named in `index.json` `files` may have a
 * runner: one module per file in `src/reference/runners/`, named after the file without
 * `.safetensors` (e.g. `runners/vae-tiny-cases.ts`), exporting
 *
 *     export const runner: ReferenceRunner = { file: 'vae-tiny-cases.safetensors', run: async (ctx) => [...] };
 *
 * The registry discovers runners by listing that folder, so a new runner is a new file and nothing
 * else. `run` builds what it needs from the weights in `ctx.dir` (not from the fixtures' location),
 * computes every case the entry lists and returns one CaseResult per case; it throws only when the
 * directory itself is unusable. Files whose name ends in `-cases.safetensors` must have a runner;
 * weights and `-intermediates` files are checked only when one exists.
 */
export interface ReferenceTensorEntry {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly meaning?: string;
  readonly [extra: string]: unknown;
}

export interface ReferenceSuggestedTolerance {
  readonly what: string;
  readonly max_abs: number | null;
}

export interface ReferenceFileEntry {
  readonly bytes: number;
  readonly sha256: string;
  readonly produced_by?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly tensors: Readonly<Record<string, ReferenceTensorEntry>>;
  readonly suggested_tolerance?: ReferenceSuggestedTolerance;
  readonly [extra: string]: unknown;
}

export interface ReferenceIndex {
  readonly files: Readonly<Record<string, ReferenceFileEntry>>;
  readonly suggested_tolerances?: Readonly<Record<string, ReferenceSuggestedTolerance>>;
  readonly [extra: string]: unknown;
}

export interface CaseResult {
  /** Unique within the file, e.g. `a_t2v.out`. */
  readonly name: string;
  readonly maxAbsError: number;
  readonly tolerance: number;
  /** Set when a case fails for a reason other than its error (exact-match mismatch, exception). */
  readonly failure?: string;
}

/**
 * Which build of the graphs to check. The default (fp32 on CPU) is what the tolerances in
 * index.json are for; fp16 / cuda is the GPU-node check of the CUDA graphs, held to 1e-2 of each
 * reference tensor's largest magnitude (see halfPrecisionTolerance). Runners that have no such
 * variant ignore it.
 */
export interface ReferenceVariant {
  readonly precision: 'fp32' | 'fp16';
  readonly provider: 'cpu' | 'cuda';
}

export const DEFAULT_VARIANT: ReferenceVariant = { precision: 'fp32', provider: 'cpu' };

/** Half precision rounds at 2^-11 per matmul input; 1e-2 of the output range is the manifest's guidance. */
export function halfPrecisionTolerance(expected: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(expected[i]));
  return 1e-2 * max;
}

export interface ReferenceRunnerContext {
  /** Absolute path of the reference directory. */
  readonly dir: string;
  /** The file this runner checks, e.g. `dit-tiny-cases.safetensors`. */
  readonly file: string;
  readonly entry: ReferenceFileEntry;
  readonly index: ReferenceIndex;
  /**
   * The tolerance index.json gives this file: its numeric max_abs, or, when the file lists several
   * (pipeline: "latents 1e-3, noise_pred 2e-3, ..."), the one named `key`.
   */
  tolerance(key?: string): number;
  /** Absent means DEFAULT_VARIANT. */
  readonly variant?: ReferenceVariant;
}

export interface ReferenceRunner {
  readonly file: string;
  run(ctx: ReferenceRunnerContext): Promise<CaseResult[]>;
}

export function casePassed(result: CaseResult): boolean {
  return (
    result.failure === undefined &&
    Number.isFinite(result.maxAbsError) &&
    result.maxAbsError <= result.tolerance
  );
}
