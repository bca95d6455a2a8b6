import { ort, type OrtSession } from '../onnx/session.ts';
import { evaluateDim } from './vae-graph-ops.ts';

const CACHE_IN = /^cache_in\.(\d+)$/;

/**
 * Runs a streaming graph (cache_in.N / cache_out.N pairs) call after call, carrying the caches.
 * The caches start as zeros sized from the graph's declared input shapes ("h*2", "H/4", ...) and
 * the spatial size of the first call, which is what the official chunk loops start from.
 */
export class StreamingSession {
  private caches: Map<string, ort.Tensor> | null = null;
  private readonly cacheInputs: {
    name: string;
    type: ort.Tensor.Type;
    shape: readonly (number | string)[];
  }[];

  readonly session: OrtSession;

  constructor(session: OrtSession) {
    this.session = session;
    this.cacheInputs = session.inputMetadata
      .filter((m) => CACHE_IN.test(m.name))
      .map((m) => {
        if (!m.isTensor) throw new Error(`cache input ${m.name} is not a tensor`);
        return { name: m.name, type: m.type, shape: m.shape };
      })
      .sort((a, b) => cacheIndex(a.name) - cacheIndex(b.name));
  }

  /** The declared shape of a graph input (numbers, or symbolic names for dynamic axes). */
  inputShape(name: string): readonly (number | string)[] {
    const meta = this.session.inputMetadata.find((m) => m.name === name);
    if (!meta?.isTensor) throw new Error(`the graph has no tensor input "${name}"`);
    return meta.shape;
  }

  get cacheCount(): number {
    return this.cacheInputs.length;
  }

  /** The caches the next call will receive (cache_in.N -> tensor), empty before the first call. */
  get currentCaches(): ReadonlyMap<string, ort.Tensor> {
    return this.caches ?? new Map();
  }

  /** Forgets the caches: the next call is a first call again. */
  reset(): void {
    this.caches = null;
  }

  get started(): boolean {
    return this.caches !== null;
  }

  /**
   * One call. `sizes` gives the symbolic base dims (e.g. { h: 44, w: 80 }) used to size the zero
   * caches on the first call. Returns the graph's non-cache outputs.
   */
  async run(
    feeds: Record<string, ort.Tensor>,
    sizes: Readonly<Record<string, number>>,
  ): Promise<Record<string, ort.Tensor>> {
    const first = this.caches === null;
    const caches = this.caches ?? this.zeroCaches(sizes);
    const allFeeds: Record<string, ort.Tensor> = {
      ...feeds,
      is_first: new ort.Tensor('bool', Uint8Array.from([first ? 1 : 0]), [1]),
    };
    for (const [name, value] of caches) allFeeds[name] = value;
    const results = await this.session.run(allFeeds);
    const next = new Map<string, ort.Tensor>();
    const outputs: Record<string, ort.Tensor> = {};
    for (const [name, value] of Object.entries(results)) {
      const match = /^cache_out\.(\d+)$/.exec(name);
      if (match) next.set(`cache_in.${match[1]}`, value);
      else outputs[name] = value;
    }
    if (next.size !== this.cacheInputs.length) {
      throw new Error(`the graph returned ${next.size} caches for ${this.cacheInputs.length} cache inputs`);
    }
    this.caches = next;
    return outputs;
  }

  private zeroCaches(sizes: Readonly<Record<string, number>>): Map<string, ort.Tensor> {
    const caches = new Map<string, ort.Tensor>();
    for (const input of this.cacheInputs) {
      const dims = input.shape.map((d) => evaluateDim(d, sizes));
      const count = dims.reduce((a, b) => a * b, 1);
      if (input.type !== 'float32')
        throw new Error(`cache input ${input.name} is ${input.type}, expected float32`);
      caches.set(input.name, new ort.Tensor('float32', new Float32Array(count), dims));
    }
    return caches;
  }
}

function cacheIndex(name: string): number {
  return Number(CACHE_IN.exec(name)?.[1] ?? -1);
}
