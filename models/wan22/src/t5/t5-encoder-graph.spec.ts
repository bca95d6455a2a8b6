import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeModel } from '../onnx/model-writer.ts';
import { createSession, i64, runSession } from '../onnx/session.ts';
import { SafetensorsWeights } from '../onnx/weights.ts';
import { SafetensorsFile } from '../safetensors/safetensors-file.ts';
import { t5ParameterShapes } from '../build/parameter-shapes.ts';
import { randomWeights, TINY_T5 } from '../build/tiny-model.ts';
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

describe(`${buildT5EncoderGraph.name} in float16`, { timeout: 30_000 }, () => {
  it('should give finite output close to float32 when the FFN activations overflow float16', async () => {
    const weights = randomWeights(t5ParameterShapes(TINY_T5), 5);
    // Gate and fc1 outputs of a few hundred: each fits float16, their product and fc2 over it do not.
    for (let i = 0; i < TINY_T5.numLayers; i++) {
      for (const name of [`blocks.${i}.ffn.gate.0.weight`, `blocks.${i}.ffn.fc1.weight`]) {
        const data = await weights.float32(name);
        for (let j = 0; j < data.length; j++) data[j] *= 300;
      }
    }
    const ids = BigInt64Array.from([5n, 17n, 99n, 3n, 250n, 1n]);
    const mask = new BigInt64Array(ids.length).fill(1n);
    const run = async (dtype: 'float16' | 'float32') => {
      const graph = buildT5EncoderGraph(TINY_T5, weights, { dtype, debugOutputs: dtype === 'float32' });
      const out = await runSession(await createSession(await encodeModel(graph)), {
        ids: i64([1, ids.length], ids),
        mask: i64([1, ids.length], mask),
      });
      return out;
    };
    const full = await run('float32');
    const ffnPeak = Math.max(...Array.from(full['dbg:blocks.0.ffn_out'].data as Float32Array, Math.abs));
    expect(ffnPeak).toBeGreaterThan(65504); // a float16 fc2 would have returned inf here
    const half = (await run('float16'))['out'].data as Float32Array;
    const reference = full['out'].data as Float32Array;
    expect(half.every(Number.isFinite)).toBe(true);
    let error = 0;
    let range = 0;
    for (let i = 0; i < reference.length; i++) {
      error = Math.max(error, Math.abs(half[i] - reference[i]));
      range = Math.max(range, Math.abs(reference[i]));
    }
    console.info(
      `umT5 float16 with FFN peaks of ${ffnPeak.toExponential(2)}: max abs error ${error.toExponential(2)} of ${range.toFixed(2)}`,
    );
    expect(error).toBeLessThan(1e-2 * range);
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
