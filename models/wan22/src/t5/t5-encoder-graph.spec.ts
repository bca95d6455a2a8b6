import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeModel } from '../onnx/model-writer.ts';
import { createSession, i64, runSession } from '../onnx/session.ts';
import { SafetensorsWeights } from '../onnx/weights.ts';
import { SafetensorsFile } from '../safetensors/safetensors-file.ts';
import { relativeBucket } from './relative-buckets.ts';
import { t5ConfigFromReference } from './t5-config.ts';
import { padContext, trimContext } from './t5-context.ts';
import { buildT5EncoderGraph } from './t5-encoder-graph.ts';

const fixtures = join(import.meta.dirname, '../../test/fixtures/wan22');

describe(buildT5EncoderGraph.name, { timeout: 30_000 }, () => {
  let weights: SafetensorsWeights;
  let cases: SafetensorsFile;

  beforeAll(async () => {
    weights = await SafetensorsWeights.open([join(fixtures, 't5-tiny.safetensors')]);
    cases = await SafetensorsFile.open(join(fixtures, 't5-tiny-cases.safetensors'));
  });
  afterAll(async () => {
    await weights.close();
    await cases.close();
  });

  // Same half-precision argument as the DiT (see dit-graph.spec.ts): measured max 1.6e-3 on
  // outputs up to 3.1; bound 1e-2 of the output range, and > 1e-5 to prove fp16 rounding happened.
  it('should stay within half-precision error of the reference when built fp16 for CUDA', async () => {
    await using file = await SafetensorsFile.open(join(fixtures, 't5-tiny.safetensors'));
    const info = file.info<{ config: Record<string, unknown> }>();
    if (!info) throw new Error('t5-tiny.safetensors carries no info metadata');
    const config = t5ConfigFromReference(info.config);
    const session = await createSession(
      await encodeModel(buildT5EncoderGraph(config, weights, { dtype: 'float16' })),
    );
    const mask = await cases.readInt64('mask');
    const out = await runSession(session, {
      ids: i64([1, 16], await cases.readInt64('ids')),
      mask: i64([1, 16], mask),
    });
    const got = trimContext(out['out'].data as Float32Array, config.dim, mask);
    const ref = await cases.readFloat32('context_0');
    let max = 0;
    let refMax = 0;
    for (let i = 0; i < ref.length; i++) {
      max = Math.max(max, Math.abs(got[i] - ref[i]));
      refMax = Math.max(refMax, Math.abs(ref[i]));
    }
    expect(max).toBeLessThan(1e-2 * refMax);
    expect(max).toBeGreaterThan(1e-5);
  });
});

describe(relativeBucket.name, () => {
  it('should put log-spaced boundaries where the official float32 code does when keys are far', () => {
    expect([0, 1, 7, 8, 15, 16, 32, 64, 127, 128, 500].map((r) => relativeBucket(r, 32))).toEqual([
      0, 17, 23, 24, 25, 26, 28, 30, 31, 31, 31,
    ]);
    expect([-1, -8, -16, -500].map((r) => relativeBucket(r, 32))).toEqual([1, 8, 10, 15]);
  });
});

describe(trimContext.name, () => {
  it('should keep the real rows and pad back with exact zeros when given a mask', () => {
    const out = Float32Array.from({ length: 8 }, (_, i) => i + 1);
    const trimmed = trimContext(out, 2, [1, 1, 1, 0]);
    expect([...trimmed]).toEqual([1, 2, 3, 4, 5, 6]);
    const padded = padContext(trimmed, 2, 5);
    expect([...padded.slice(6)]).toEqual([0, 0, 0, 0]);
    expect(Object.is(padded[9], 0)).toBe(true);
  });

  it('should refuse a mask that is not a prefix when real tokens are scattered', () => {
    expect(() => trimContext(new Float32Array(6), 2, [1, 0, 1])).toThrow(/prefix/);
  });
});
