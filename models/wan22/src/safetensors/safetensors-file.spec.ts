import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from './safetensors-file.ts';
import { encodeSafetensors } from './safetensors-writer.ts';
import { floatToHalfBits, halfBitsToFloat } from './half.ts';

function rawFile(header: unknown, dataBytes: number, declaredLength?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? json.length), true);
  out.set(json, 8);
  return out;
}

describe(SafetensorsFile.name, () => {
  let dir: string;
  const write = async (name: string, bytes: Uint8Array): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'safetensors-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should read typed tensors and the info metadata when the file is valid', async () => {
    const path = await write(
      'ok.safetensors',
      encodeSafetensors(
        {
          a: { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
          ids: { dtype: 'I64', shape: [3], data: new BigInt64Array([5n, -1n, 7n]) },
          h: { dtype: 'F16', shape: [2], data: new Uint16Array([floatToHalfBits(1.5), floatToHalfBits(-2)]) },
          b: { dtype: 'BF16', shape: [1], data: new Uint16Array([0x3fc0]) },
        },
        { info: JSON.stringify({ config: { dim: 8 } }) },
      ),
    );
    await using file = await SafetensorsFile.open(path);
    expect(file.names).toEqual(['a', 'ids', 'h', 'b']);
    expect(file.get('a').shape).toEqual([2, 2]);
    expect([...(await file.readFloat32('a'))]).toEqual([1, 2, 3, 4]);
    expect([...(await file.readInt64('ids'))]).toEqual([5n, -1n, 7n]);
    expect([...(await file.readFloat32('h'))]).toEqual([1.5, -2]);
    expect([...(await file.readFloat32('b'))]).toEqual([1.5]);
    expect(file.info<{ config: { dim: number } }>()?.config.dim).toBe(8);
  });

  it('should yield whole-element chunks that concatenate to the tensor when streaming', async () => {
    const data = Float32Array.from({ length: 1000 }, (_, i) => i);
    const path = await write(
      'big.safetensors',
      encodeSafetensors({ x: { dtype: 'F32', shape: [1000], data } }),
    );
    await using file = await SafetensorsFile.open(path);
    const chunks: Uint8Array[] = [];
    for await (const c of file.chunks('x', 1001)) chunks.push(c);
    expect(chunks.every((c) => c.length % 4 === 0)).toBe(true);
    const joined = Uint8Array.from(Buffer.concat(chunks));
    expect(new Float32Array(joined.buffer)).toEqual(data);
  });

  it('should refuse a file when its data is truncated', async () => {
    const full = encodeSafetensors({ x: { dtype: 'F32', shape: [16], data: new Float32Array(16) } });
    const path = await write('trunc.safetensors', full.subarray(0, full.length - 4));
    await expect(SafetensorsFile.open(path)).rejects.toThrow(/truncated or out of range/);
  });

  it('should refuse a file when the header length runs past the end', async () => {
    const path = await write('hdr.safetensors', rawFile({}, 0, 4096));
    await expect(SafetensorsFile.open(path)).rejects.toThrow(/truncated/);
  });

  it('should refuse a file when the header is larger than the limit', async () => {
    const path = await write('huge.safetensors', rawFile({ __metadata__: { pad: 'x'.repeat(2000) } }, 0));
    await expect(SafetensorsFile.open(path, { maxHeaderBytes: 1024 })).rejects.toThrow(
      /above the 1024-byte limit/,
    );
  });

  it('should refuse a file when two tensors overlap', async () => {
    const header = {
      a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
      b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
    };
    const path = await write('overlap.safetensors', rawFile(header, 16));
    await expect(SafetensorsFile.open(path)).rejects.toThrow(/overlaps/);
  });

  it('should refuse a file when a dtype is unknown', async () => {
    const path = await write(
      'dtype.safetensors',
      rawFile({ a: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, 16),
    );
    await expect(SafetensorsFile.open(path)).rejects.toThrow(/unknown dtype "F128"/);
  });

  it('should refuse a file when the byte range does not match the shape', async () => {
    const path = await write(
      'shape.safetensors',
      rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, 16),
    );
    await expect(SafetensorsFile.open(path)).rejects.toThrow(/do not hold shape/);
  });

  it('should refuse a file when it is shorter than the length prefix', async () => {
    const path = await write('tiny.safetensors', new Uint8Array(3));
    await expect(SafetensorsFile.open(path)).rejects.toThrow(/shorter than the 8-byte/);
  });

  it('should name the missing tensor when asked for one that does not exist', async () => {
    const path = await write(
      'one.safetensors',
      encodeSafetensors({ 'blocks.0.w': { dtype: 'U8', shape: [1], data: new Uint8Array(1) } }),
    );
    await using file = await SafetensorsFile.open(path);
    expect(() => file.get('blocks.1.w')).toThrow(/no tensor "blocks.1.w".*blocks.0.w/);
  });
});

describe('half precision conversion', () => {
  it('should round-trip representable values and saturate to infinity when out of range', () => {
    for (const v of [0, 1, -1, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8]) {
      expect(halfBitsToFloat(floatToHalfBits(v))).toBe(v);
    }
    expect(halfBitsToFloat(floatToHalfBits(70000))).toBe(Infinity);
    expect(halfBitsToFloat(floatToHalfBits(1 + 2 ** -11))).toBe(1);
    expect(halfBitsToFloat(floatToHalfBits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
  });
});
