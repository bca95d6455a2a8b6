import { writeFile } from 'node:fs/promises';
import { SAFETENSORS_DTYPE_BYTES, type AnyTypedArray, type SafetensorsDType } from './dtypes.ts';

export interface SafetensorsWriteTensor {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly data: AnyTypedArray;
}

/** Serialises small tensor sets (tiny models, test fixtures) into the safetensors layout. */
export function encodeSafetensors(
  tensors: Readonly<Record<string, SafetensorsWriteTensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header['__metadata__'] = metadata;
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const expected = t.shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPE_BYTES[t.dtype];
    if (bytes.length !== expected)
      throw new Error(`tensor "${name}": ${bytes.length} bytes for shape [${t.shape}]`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so tensor data starts 8-byte aligned, as the reference writer does.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export async function writeSafetensors(
  path: string,
  tensors: Readonly<Record<string, SafetensorsWriteTensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  await writeFile(path, encodeSafetensors(tensors, metadata));
}
