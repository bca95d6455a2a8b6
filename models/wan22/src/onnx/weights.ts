import { SafetensorsFile } from '../safetensors/safetensors-file.ts';
import { SAFETENSORS_DTYPE_BYTES, viewAs, type SafetensorsDType } from '../safetensors/dtypes.ts';
import { bf16ToFloat32, float32ToHalf, halfToFloat32 } from '../safetensors/half.ts';
import type { GraphBuilder, LazyTensorData, TensorArray } from './graph-builder.ts';

export type WeightDType = 'float32' | 'float16';

/** Named checkpoint tensors (official parameter names), read lazily in the precision a graph wants. */
export interface WeightStore {
  has(name: string): boolean;
  shape(name: string): readonly number[];
  /** Data for an initializer: produced when the model is written, converted chunk by chunk. */
  data(name: string, dtype: WeightDType): TensorArray | LazyTensorData;
  /** Whole tensor as float32 now (small tensors that are folded at build time). */
  float32(name: string): Promise<Float32Array>;
}

function convert(from: SafetensorsDType, to: WeightDType, bytes: Uint8Array): Uint8Array {
  const src = viewAs(from, bytes);
  let f32: Float32Array;
  if (from === 'F32') f32 = src as Float32Array;
  else if (from === 'BF16') f32 = bf16ToFloat32(src as Uint16Array);
  else if (from === 'F16') {
    if (to === 'float16') return bytes;
    f32 = halfToFloat32(src as Uint16Array);
  } else if (from === 'F64') f32 = Float32Array.from(src as Float64Array);
  else throw new Error(`cannot use a ${from} tensor as ${to} weights`);
  const out = to === 'float32' ? f32 : float32ToHalf(f32);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Weights from one or more safetensors files (a sharded checkpoint reads as one store). */
export class SafetensorsWeights implements WeightStore {
  private readonly owner = new Map<string, SafetensorsFile>();

  constructor(files: readonly SafetensorsFile[]) {
    for (const file of files) {
      for (const name of file.names) {
        if (this.owner.has(name)) throw new Error(`tensor "${name}" appears in two checkpoint files`);
        this.owner.set(name, file);
      }
    }
  }

  static async open(paths: readonly string[]): Promise<SafetensorsWeights> {
    return new SafetensorsWeights(await Promise.all(paths.map((p) => SafetensorsFile.open(p))));
  }

  get names(): string[] {
    return [...this.owner.keys()];
  }

  has(name: string): boolean {
    return this.owner.has(name);
  }

  shape(name: string): readonly number[] {
    return this.file(name).get(name).shape;
  }

  data(name: string, dtype: WeightDType): LazyTensorData {
    const file = this.file(name);
    const info = file.get(name);
    const outBytes = dtype === 'float32' ? 4 : 2;
    const inBytes = SAFETENSORS_DTYPE_BYTES[info.dtype];
    return {
      byteLength: info.elementCount * outBytes,
      async *chunks() {
        for await (const chunk of file.chunks(
          name,
          32 * 1024 * 1024 - ((32 * 1024 * 1024) % (inBytes * 2)),
        )) {
          yield convert(info.dtype, dtype, chunk);
        }
      },
    };
  }

  async float32(name: string): Promise<Float32Array> {
    return this.file(name).readFloat32(name);
  }

  async close(): Promise<void> {
    await Promise.all([...new Set(this.owner.values())].map((f) => f.close()));
  }

  private file(name: string): SafetensorsFile {
    const file = this.owner.get(name);
    if (!file) throw new Error(`checkpoint has no tensor "${name}"`);
    return file;
  }
}

/** In-memory float32 weights (tiny random models, tests). */
export class MemoryWeights implements WeightStore {
  private readonly tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>;

  constructor(tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>) {
    this.tensors = tensors;
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  shape(name: string): readonly number[] {
    return this.get(name).shape;
  }

  data(name: string, dtype: WeightDType): TensorArray {
    const { data } = this.get(name);
    return dtype === 'float32' ? data : float32ToHalf(data);
  }

  async float32(name: string): Promise<Float32Array> {
    return this.get(name).data;
  }

  private get(name: string): { shape: readonly number[]; data: Float32Array } {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`weights have no tensor "${name}"`);
    return t;
  }
}

/** Adds checkpoint tensor `name` as an initializer (once; later calls reuse it). */
export function weight(g: GraphBuilder, store: WeightStore, name: string, dtype: WeightDType): string {
  if (g.initializers.has(name)) return name;
  return g.initializer(name, { dtype, dims: store.shape(name), data: store.data(name, dtype) });
}
