import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PthWeights } from '../../models/wan22/src/torch/pth-weights.ts';
import { writeTorchArchive } from './torch-archive.ts';

describe(writeTorchArchive.name, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'torch-archive-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should write an archive the project reads back tensor by tensor, bf16 and float32', async () => {
    const path = join(dir, 'model.pth');
    const tensors = [
      { name: 'blocks.0.attn.q.weight', shape: [300, 2], dtype: 'BF16' as const },
      { name: 'norm.weight', shape: [3], dtype: 'F32' as const },
    ];
    const bytes = await writeTorchArchive(
      path,
      tensors,
      (t, n) =>
        t.dtype === 'F32'
          ? new Uint8Array(Float32Array.from([1.5, -2, 4]).buffer).subarray(0, n)
          : new Uint8Array(new Uint16Array(n / 2).fill(0x3f80).buffer), // bf16 1.0
    );
    expect((await stat(path)).size).toBe(bytes);
    const weights = await PthWeights.open(path);
    try {
      expect(weights.names).toEqual(['blocks.0.attn.q.weight', 'norm.weight']);
      expect(weights.shape('blocks.0.attn.q.weight')).toEqual([300, 2]);
      expect((await weights.float32('blocks.0.attn.q.weight')).every((v) => v === 1)).toBe(true);
      expect([...(await weights.float32('norm.weight'))]).toEqual([1.5, -2, 4]);
    } finally {
      await weights.close();
    }
  });
});
