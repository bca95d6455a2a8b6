import type { LazyTensorData, TensorArray } from '../onnx/graph-builder.ts';
import { bf16ToFloat32, float32ToHalf, halfToFloat32 } from '../safetensors/half.ts';
import type { SafetensorsFile } from '../safetensors/safetensors-file.ts';

export type FloatDType = 'float32' | 'float16';

/**
 * Where the graph builders take weights from, by official parameter name. Big tensors are handed
 * to the ONNX writer lazily (converted chunk by chunk) so that a multi-GB checkpoint is never held
 * whole; small ones (norm gains) are read eagerly because the builders fold constants into them.
 */
export interface WeightSource {
  has(name: string): boolean;
  shape(name: string): readonly number[];
  /** The tensor in `dtype`, produced when the model is written. */
  lazy(name: string, dtype: FloatDType): LazyTensorData;
  /** The whole tensor as float32 (only for small tensors). */
  read(name: string): Promise<Float32Array>;
}

/** A WeightSource over a safetensors file (F32, F16 or BF16 tensors). */
export function safetensorsWeights(file: SafetensorsFile, prefix = ''): WeightSource {
  const full = (name: string): string => `${prefix}${name}`;
  return {
    has: (name) => file.has(full(name)),
    shape: (name) => file.get(full(name)).shape,
    read: (name) => file.readFloat32(full(name)),
    lazy(name, dtype) {
      const info = file.get(full(name));
      const bytesPerElement = dtype === 'float32' ? 4 : 2;
      return {
        byteLength: info.elementCount * bytesPerElement,
        chunks: () => convertChunks(file.chunks(full(name)), info.dtype, dtype),
      };
    },
  };
}

/** A WeightSource over tensors already in memory (tests, generated tiny models). */
export function memoryWeights(
  tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>,
): WeightSource {
  const get = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`weight "${name}" is missing`);
    return t;
  };
  return {
    has: (name) => tensors.has(name),
    shape: (name) => get(name).shape,
    read: async (name) => get(name).data,
    lazy(name, dtype) {
      const data = get(name).data;
      const out: TensorArray = dtype === 'float32' ? data : float32ToHalf(data);
      const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      return {
        byteLength: bytes.byteLength,
        chunks: async function* () {
          yield bytes;
        },
      };
    },
  };
}

async function* convertChunks(
  chunks: AsyncIterable<Uint8Array>,
  from: string,
  to: FloatDType,
): AsyncGenerator<Uint8Array> {
  const same = (from === 'F32' && to === 'float32') || (from === 'F16' && to === 'float16');
  for await (const chunk of chunks) {
    if (same) {
      yield chunk;
      continue;
    }
    const copy = chunk.slice();
    let values: Float32Array;
    switch (from) {
      case 'F32':
        values = new Float32Array(copy.buffer, 0, copy.byteLength / 4);
        break;
      case 'F16':
        values = halfToFloat32(new Uint16Array(copy.buffer, 0, copy.byteLength / 2));
        break;
      case 'BF16':
        values = bf16ToFloat32(new Uint16Array(copy.buffer, 0, copy.byteLength / 2));
        break;
      default:
        throw new Error(`weights of type ${from} cannot be converted to ${to}: expected F32, F16 or BF16`);
    }
    const out = to === 'float32' ? values : float32ToHalf(values);
    yield new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
}
