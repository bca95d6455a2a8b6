import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../src/build/build-model.ts';
import { compareModels } from '../src/build/compare-models.ts';

describe(compareModels.name, { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'compare-'));
    await buildModel({ out: join(dir, 'fp32'), precision: 'fp32', target: 'cpu', source: { kind: 'tiny' } });
    await buildModel({ out: join(dir, 'fp16'), precision: 'fp16', target: 'cuda', source: { kind: 'tiny' } });
    await buildModel({
      out: join(dir, 'other'),
      precision: 'fp32',
      target: 'cpu',
      source: { kind: 'tiny', seed: 7 },
    });
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const options = {
    referenceProvider: 'cpu',
    candidateProvider: 'cpu',
    latent: [2, 4, 4],
    relativeTolerance: 0.02,
  } as const;

  it('should pass the fp16 CUDA build against the fp32 build of the same weights', async () => {
    const lines = await compareModels({
      ...options,
      reference: join(dir, 'fp32'),
      candidate: join(dir, 'fp16'),
    });
    expect(lines.map((l) => l.name)).toEqual(['text_encoder.context', 'dit.out']);
    expect(lines.every((l) => l.passed)).toBe(true);
    expect(lines.every((l) => l.maxAbsError > 0)).toBe(true);
  });

  it('should fail when the candidate was built from different weights', async () => {
    const lines = await compareModels({
      ...options,
      reference: join(dir, 'fp32'),
      candidate: join(dir, 'other'),
    });
    expect(lines.some((l) => !l.passed)).toBe(true);
  });
});
