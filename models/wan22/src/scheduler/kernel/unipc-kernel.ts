import { UNIPC_KERNEL_WASM_BASE64 } from './unipc-kernel-wasm.ts';

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Compiled once per process: 0.5 kB of wasm (see unipc-kernel.wat). */
const kernelModule = new wasm.Module(Buffer.from(UNIPC_KERNEL_WASM_BASE64, 'base64'));

/** Scalars of one UniPC step (all float32 values) and which terms it has. */
export interface UniPCStepTerms {
  sigma: number;
  corrector: {
    sigmaRatio: number;
    alphaPhi: number;
    alphaBh: number;
    rhoT: number;
    /** Slots of the corrector's m0 and older outputs (newest first) and their r_k, rho_k. */
    m0: number;
    older: readonly number[];
    rks: readonly number[];
    rhos: readonly number[];
  } | null;
  predictor: {
    sigmaRatio: number;
    alphaPhi: number;
    alphaBh: number;
    older: readonly number[];
    rks: readonly number[];
    rhos: readonly number[];
  };
}

/**
 * The UniPC step kernel and the buffers it works on, in one wasm memory sized for one latent:
 * the model output and the sample are copied in, the next sample is copied out, and the history
 * the solver keeps (x0 predictions, the last corrected sample) stays inside. Slots 0 .. history-1
 * hold x0 predictions.
 */
export class UniPCKernel {
  readonly size: number;
  private readonly memory: WasmMemory;
  private readonly run: (...args: number[]) => void;
  private readonly stride: number;
  private readonly history: number;

  constructor(size: number, history: number) {
    this.size = size;
    this.history = history;
    // Whole vectors of 4 floats: the kernel runs past the end into the padding, never into the next buffer.
    this.stride = Math.ceil(size / 4) * 16;
    const bytes = this.stride * (history + 4);
    if (bytes > 2 ** 32 - 65536) {
      throw new Error(`a latent of ${size} values is too large for the 4 GB UniPC kernel memory`);
    }
    this.memory = new wasm.Memory({ initial: Math.ceil(bytes / 65536) });
    const instance = new wasm.Instance(kernelModule, { env: { memory: this.memory } });
    this.run = instance.exports['step'] as (...args: number[]) => void;
  }

  /** Byte offset of an x0 slot (0 .. history-1), then v, x, out, last. */
  private offset(slot: number | 'v' | 'x' | 'out' | 'last'): number {
    const index = typeof slot === 'number' ? slot : this.history + ['v', 'x', 'out', 'last'].indexOf(slot);
    return index * this.stride;
  }

  private view(slot: number | 'v' | 'x' | 'out' | 'last'): Float32Array {
    return new Float32Array(this.memory.buffer, this.offset(slot), this.size);
  }

  /** One step: v and x in, the next sample into `out`; writes x0 into `convertedSlot` and cur into last. */
  step(
    v: Float32Array,
    x: Float32Array,
    out: Float32Array,
    convertedSlot: number,
    terms: UniPCStepTerms,
  ): void {
    this.view('v').set(v);
    this.view('x').set(x);
    const c = terms.corrector;
    const p = terms.predictor;
    const slot = (list: readonly number[], k: number) => this.offset(list[k] ?? convertedSlot);
    this.run(
      this.stride / 16,
      this.offset('v'),
      this.offset('x'),
      this.offset(convertedSlot),
      this.offset('last'),
      this.offset('out'),
      this.offset(c?.m0 ?? convertedSlot),
      slot(c?.older ?? [], 0),
      slot(c?.older ?? [], 1),
      slot(p.older, 0),
      slot(p.older, 1),
      c ? 1 : 0,
      c?.older.length ?? 0,
      p.older.length,
      terms.sigma,
      c?.sigmaRatio ?? 0,
      c?.alphaPhi ?? 0,
      c?.alphaBh ?? 0,
      c?.rhoT ?? 0,
      c?.rks[0] ?? 1,
      c?.rks[1] ?? 1,
      c?.rhos[0] ?? 0,
      c?.rhos[1] ?? 0,
      p.sigmaRatio,
      p.alphaPhi,
      p.alphaBh,
      p.rks[0] ?? 1,
      p.rks[1] ?? 1,
      p.rhos[0] ?? 0,
      p.rhos[1] ?? 0,
    );
    out.set(this.view('out'));
  }
}
