import { open, type FileHandle } from 'node:fs/promises';
import { SAFETENSORS_DTYPE_BYTES, viewAs, type SafetensorsDType } from '../safetensors/dtypes.ts';
import { bf16ToFloat32, float32ToHalf, halfToFloat32 } from '../safetensors/half.ts';
import type { LazyTensorData } from '../onnx/graph-builder.ts';
import type { WeightDType, WeightStore } from '../onnx/weights.ts';
import { unpickle, type TensorRef } from './pickle.ts';
import { readAt, readZipIndex, type ZipMember } from './zip-index.ts';

const STORAGE_DTYPES: Readonly<Record<string, SafetensorsDType>> = {
  'torch.FloatStorage': 'F32',
  'torch.HalfStorage': 'F16',
  'torch.BFloat16Storage': 'BF16',
  'torch.DoubleStorage': 'F64',
  'torch.LongStorage': 'I64',
  'torch.IntStorage': 'I32',
  'torch.ByteStorage': 'U8',
  'torch.BoolStorage': 'BOOL',
};

interface PthTensor {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly byteOffset: number;
  readonly byteLength: number;
}

function contiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/**
 * A PyTorch `torch.save(state_dict)` checkpoint (zip format) as a weight store: the pickle is
 * parsed without executing anything, and tensor bytes are read in place from the stored zip
 * members, so Wan2.2_VAE.pth and the 11 GB umT5 .pth are never loaded whole.
 */
export class PthWeights implements WeightStore {
  readonly path: string;
  private readonly handle: FileHandle;
  private readonly tensors: ReadonlyMap<string, PthTensor>;

  private constructor(path: string, handle: FileHandle, tensors: Map<string, PthTensor>) {
    this.path = path;
    this.handle = handle;
    this.tensors = tensors;
  }

  static async open(path: string): Promise<PthWeights> {
    const handle = await open(path, 'r');
    try {
      const members = await readZipIndex(handle, path);
      const pkl = [...members.values()].find((m) => m.name.endsWith('/data.pkl') || m.name === 'data.pkl');
      if (!pkl) throw new Error(`${path}: no data.pkl (not a torch.save checkpoint)`);
      const prefix = pkl.name.slice(0, -'data.pkl'.length);
      const root = unpickle(await readAt(handle, pkl.dataOffset, pkl.size));
      const dict = root instanceof Map && root.has('state_dict') ? root.get('state_dict') : root;
      if (!(dict instanceof Map)) throw new Error(`${path}: the checkpoint is not a state dict`);
      const tensors = new Map<string, PthTensor>();
      for (const [name, value] of dict) {
        const ref = value as TensorRef;
        if (typeof name !== 'string' || ref?.kind !== 'tensor') continue;
        tensors.set(name, locate(path, name, ref, members, prefix));
      }
      return new PthWeights(path, handle, tensors);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  shape(name: string): readonly number[] {
    return this.get(name).shape;
  }

  data(name: string, dtype: WeightDType): LazyTensorData {
    const t = this.get(name);
    const size = SAFETENSORS_DTYPE_BYTES[t.dtype];
    const step = 32 * 1024 * 1024 - ((32 * 1024 * 1024) % size);
    const elements = t.byteLength / size;
    const handle = this.handle;
    return {
      byteLength: elements * (dtype === 'float32' ? 4 : 2),
      async *chunks() {
        for (let done = 0; done < t.byteLength; done += step) {
          const bytes = await readAt(handle, t.byteOffset + done, Math.min(step, t.byteLength - done));
          const f32 = toFloat32(t.dtype, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
          const out = dtype === 'float32' ? f32 : float32ToHalf(f32);
          yield new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
        }
      },
    };
  }

  async float32(name: string): Promise<Float32Array> {
    const t = this.get(name);
    const bytes = await readAt(this.handle, t.byteOffset, t.byteLength);
    return toFloat32(t.dtype, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private get(name: string): PthTensor {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`${this.path} has no tensor "${name}"`);
    return t;
  }
}

function locate(
  path: string,
  name: string,
  ref: TensorRef,
  members: ReadonlyMap<string, ZipMember>,
  prefix: string,
): PthTensor {
  const dtype = STORAGE_DTYPES[ref.storage.storageType];
  if (!dtype) throw new Error(`${path}: tensor "${name}" has unsupported storage ${ref.storage.storageType}`);
  if (!contiguous(ref.shape, ref.stride)) throw new Error(`${path}: tensor "${name}" is not contiguous`);
  const member = members.get(`${prefix}data/${ref.storage.key}`);
  if (!member) throw new Error(`${path}: storage ${ref.storage.key} of "${name}" is missing`);
  const size = SAFETENSORS_DTYPE_BYTES[dtype];
  const byteLength = ref.shape.reduce((a, b) => a * b, 1) * size;
  const start = ref.offset * size;
  if (start + byteLength > member.size) throw new Error(`${path}: tensor "${name}" runs past its storage`);
  return { dtype, shape: ref.shape, byteOffset: member.dataOffset + start, byteLength };
}

function toFloat32(dtype: SafetensorsDType, bytes: Uint8Array): Float32Array {
  const src = viewAs(dtype, bytes);
  switch (dtype) {
    case 'F32':
      return src as Float32Array;
    case 'BF16':
      return bf16ToFloat32(src as Uint16Array);
    case 'F16':
      return halfToFloat32(src as Uint16Array);
    case 'F64':
      return Float32Array.from(src as Float64Array);
    default:
      throw new Error(`a ${dtype} tensor cannot be used as float weights`);
  }
}
