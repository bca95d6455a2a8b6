import { open, type FileHandle } from 'node:fs/promises';
import {
  SAFETENSORS_DTYPE_BYTES,
  isSafetensorsDType,
  viewAs,
  type AnyTypedArray,
  type SafetensorsDType,
} from './dtypes.ts';
import { bf16ToFloat32, halfToFloat32 } from './half.ts';

/** Where one tensor lives in the file. Offsets are absolute file positions. */
export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly elementCount: number;
  readonly byteOffset: number;
  readonly byteLength: number;
}

export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Little-endian data in the dtype's natural array (F16/BF16 as raw Uint16 bits). */
  readonly data: AnyTypedArray;
}

export interface SafetensorsOpenOptions {
  /** Refuse headers larger than this (the reference implementation uses 100 MB). */
  readonly maxHeaderBytes?: number;
}

export class SafetensorsFormatError extends Error {
  constructor(path: string, problem: string) {
    super(`${path}: not a valid safetensors file: ${problem}`);
    this.name = 'SafetensorsFormatError';
  }
}

const DEFAULT_MAX_HEADER_BYTES = 100 * 1024 * 1024;
const DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * A safetensors file opened for random access: only the JSON header is read up front; tensors are
 * read by offset when asked for, so a 10 GB checkpoint never sits in memory as a whole.
 */
export class SafetensorsFile implements AsyncDisposable {
  readonly path: string;
  /** The header's `__metadata__` (string to string, as the format requires). */
  readonly metadata: Readonly<Record<string, string>>;
  private readonly handle: FileHandle;
  private readonly tensors: ReadonlyMap<string, SafetensorsTensorInfo>;

  private constructor(
    path: string,
    handle: FileHandle,
    metadata: Record<string, string>,
    tensors: Map<string, SafetensorsTensorInfo>,
  ) {
    this.path = path;
    this.handle = handle;
    this.metadata = metadata;
    this.tensors = tensors;
  }

  static async open(path: string, options: SafetensorsOpenOptions = {}): Promise<SafetensorsFile> {
    const handle = await open(path, 'r');
    try {
      const { metadata, tensors } = await readHeader(
        path,
        handle,
        options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
      );
      return new SafetensorsFile(path, handle, metadata, tensors);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Tensor names in file order (by data offset). */
  get names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  get(name: string): SafetensorsTensorInfo {
    const info = this.tensors.get(name);
    if (!info) {
      const near = this.names.filter((n) => n.includes(name.split('.').pop() ?? name)).slice(0, 5);
      throw new Error(
        `${this.path} has no tensor "${name}"${near.length ? ` (similar: ${near.join(', ')})` : ''}`,
      );
    }
    return info;
  }

  /** `__metadata__.info` parsed as JSON (where the reference files keep configs), or undefined. */
  info<T = unknown>(): T | undefined {
    const raw = this.metadata['info'];
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      throw new SafetensorsFormatError(this.path, '__metadata__.info is not valid JSON');
    }
  }

  async readBytes(name: string): Promise<Uint8Array> {
    const info = this.get(name);
    const bytes = new Uint8Array(info.byteLength);
    await this.readInto(bytes, info.byteOffset);
    return bytes;
  }

  async read(name: string): Promise<SafetensorsTensor> {
    const info = this.get(name);
    const data = viewAs(info.dtype, await this.readBytes(name));
    return { name, dtype: info.dtype, shape: info.shape, data };
  }

  /** Float tensors of any precision as float32 (F64 is rounded, F16/BF16 widened exactly). */
  async readFloat32(name: string): Promise<Float32Array> {
    const { dtype, data } = await this.read(name);
    switch (dtype) {
      case 'F32':
        return data as Float32Array;
      case 'F64':
        return Float32Array.from(data as Float64Array);
      case 'F16':
        return halfToFloat32(data as Uint16Array);
      case 'BF16':
        return bf16ToFloat32(data as Uint16Array);
      default:
        throw new Error(`${this.path}: tensor "${name}" is ${dtype}, not a float tensor`);
    }
  }

  async readInt64(name: string): Promise<BigInt64Array> {
    const { dtype, data } = await this.read(name);
    if (dtype !== 'I64') throw new Error(`${this.path}: tensor "${name}" is ${dtype}, expected I64`);
    return data as BigInt64Array;
  }

  /** The tensor's bytes in chunks (whole elements each), for copying huge tensors without holding them. */
  async *chunks(name: string, chunkBytes = DEFAULT_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
    const info = this.get(name);
    const size = SAFETENSORS_DTYPE_BYTES[info.dtype];
    const step = Math.max(size, chunkBytes - (chunkBytes % size));
    for (let done = 0; done < info.byteLength; done += step) {
      const bytes = new Uint8Array(Math.min(step, info.byteLength - done));
      await this.readInto(bytes, info.byteOffset + done);
      yield bytes;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async readInto(bytes: Uint8Array, position: number): Promise<void> {
    await readFully(this.path, this.handle, bytes, position);
  }
}

async function readFully(
  path: string,
  handle: FileHandle,
  bytes: Uint8Array,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesRead } = await handle.read(bytes, done, bytes.length - done, position + done);
    if (bytesRead === 0) throw new SafetensorsFormatError(path, 'file ended inside tensor data (truncated?)');
    done += bytesRead;
  }
}

async function readHeader(
  path: string,
  handle: FileHandle,
  maxHeaderBytes: number,
): Promise<{ metadata: Record<string, string>; tensors: Map<string, SafetensorsTensorInfo> }> {
  const fileSize = (await handle.stat()).size;
  if (fileSize < 8)
    throw new SafetensorsFormatError(path, `only ${fileSize} bytes, shorter than the 8-byte header length`);
  const lengthBytes = new Uint8Array(8);
  await readFully(path, handle, lengthBytes, 0);
  const headerLength = new DataView(lengthBytes.buffer).getBigUint64(0, true);
  if (headerLength > BigInt(maxHeaderBytes)) {
    throw new SafetensorsFormatError(
      path,
      `header claims ${headerLength} bytes, above the ${maxHeaderBytes}-byte limit`,
    );
  }
  const headerBytes = Number(headerLength);
  if (8 + headerBytes > fileSize) {
    throw new SafetensorsFormatError(
      path,
      `header claims ${headerBytes} bytes but the file has ${fileSize} (truncated?)`,
    );
  }
  const raw = new Uint8Array(headerBytes);
  await readFully(path, handle, raw, 8);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw new SafetensorsFormatError(path, 'header is not UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsFormatError(path, 'header is not a JSON object');
  }
  const dataStart = 8 + headerBytes;
  const dataSize = fileSize - dataStart;
  const metadata: Record<string, string> = {};
  const entries: SafetensorsTensorInfo[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new SafetensorsFormatError(path, '__metadata__ is not an object');
      }
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string')
          throw new SafetensorsFormatError(path, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(path, name, value, dataStart, dataSize));
  }
  entries.sort((a, b) => a.byteOffset - b.byteOffset || a.byteLength - b.byteLength);
  for (let i = 1; i < entries.length; i++) {
    const prev = entries[i - 1];
    const cur = entries[i];
    if (cur.byteOffset < prev.byteOffset + prev.byteLength) {
      throw new SafetensorsFormatError(path, `data of "${cur.name}" overlaps "${prev.name}"`);
    }
  }
  return { metadata, tensors: new Map(entries.map((e) => [e.name, e])) };
}

function parseEntry(
  path: string,
  name: string,
  value: unknown,
  dataStart: number,
  dataSize: number,
): SafetensorsTensorInfo {
  const fail = (problem: string): never => {
    throw new SafetensorsFormatError(path, `tensor "${name}": ${problem}`);
  };
  if (typeof value !== 'object' || value === null) return fail('entry is not an object');
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isSafetensorsDType(dtype)) {
    return fail(
      `unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')})`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return fail(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    return fail(`data_offsets ${JSON.stringify(offsets)} is not an ordered [begin, end] pair`);
  }
  const [begin, end] = offsets as [number, number];
  const elementCount = (shape as number[]).reduce((a, b) => a * b, 1);
  const byteLength = end - begin;
  if (byteLength !== elementCount * SAFETENSORS_DTYPE_BYTES[dtype]) {
    return fail(`${byteLength} data bytes do not hold shape [${shape.join(', ')}] of ${dtype}`);
  }
  if (end > dataSize) {
    return fail(`data ends at byte ${end} of a ${dataSize}-byte data section (truncated or out of range)`);
  }
  return { name, dtype, shape: shape as number[], elementCount, byteOffset: dataStart + begin, byteLength };
}
