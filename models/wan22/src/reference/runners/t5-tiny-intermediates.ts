import { join } from 'node:path';
import { maxAbsDiff } from '../compare.ts';
import {
  openReferenceCases,
  openReferenceWeights,
  referenceConfig,
  weightsFileFor,
} from '../reference-io.ts';
import type { CaseResult, ReferenceRunner } from '../reference-types.ts';
import { encodeModel } from '../../onnx/model-writer.ts';
import { createSession, i64, runSession } from '../../onnx/session.ts';
import { SafetensorsFile } from '../../safetensors/safetensors-file.ts';
import { t5ConfigFromReference } from '../../t5/t5-config.ts';
import { buildT5EncoderGraph } from '../../t5/t5-encoder-graph.ts';

/** Reference entries at or below this are finfo(float32).min: compare them as "very negative". */
const MASKED = -1e38;

/**
 * The umT5 intermediates, for the ids/mask of the matching -cases file: embeddings, each layer's
 * position bias, full attention bias and logits (masked keys only checked to be very negative),
 * sublayer outputs and hidden states.
 */
export const runner: ReferenceRunner = {
  file: 't5-tiny-intermediates.safetensors',
  async run(ctx) {
    const weightsFile = weightsFileFor(ctx.file);
    const config = t5ConfigFromReference(await referenceConfig(ctx, weightsFile));
    await using reference = await openReferenceCases(ctx);
    await using inputs = await SafetensorsFile.open(
      join(ctx.dir, ctx.file.replace('-intermediates', '-cases')),
    );
    const weights = await openReferenceWeights(ctx, weightsFile);
    const tol = ctx.tolerance();
    try {
      const graph = buildT5EncoderGraph(config, weights, { dtype: 'float32', debugOutputs: true });
      const session = await createSession(await encodeModel(graph));
      const [, length] = inputs.get('ids').shape;
      const out = await runSession(session, {
        ids: i64([1, length], await inputs.readInt64('ids')),
        mask: i64([1, length], await inputs.readInt64('mask')),
      });
      const results: CaseResult[] = [];
      for (const name of reference.names) {
        const expected = await reference.readFloat32(name);
        const got = name === 'norm_out' ? out['out'] : out[`dbg:${name}`];
        if (!got) {
          results.push({
            name,
            maxAbsError: Number.NaN,
            tolerance: tol,
            failure: 'the graph has no such output',
          });
          continue;
        }
        const data = got.data as Float32Array;
        if (data.length !== expected.length) {
          results.push({ name, maxAbsError: Number.NaN, tolerance: tol, failure: 'shape mismatch' });
          continue;
        }
        results.push({ name, maxAbsError: maskedMaxAbsDiff(data, expected), tolerance: tol });
      }
      return results;
    } finally {
      await weights.close();
    }
  },
};

function maskedMaxAbsDiff(got: Float32Array, expected: Float32Array): number {
  if (!expected.some((v) => v <= MASKED)) return maxAbsDiff(got, expected);
  let max = 0;
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] <= MASKED) {
      if (!(got[i] <= MASKED)) return Number.POSITIVE_INFINITY;
    } else {
      max = Math.max(max, Math.abs(got[i] - expected[i]));
    }
  }
  return max;
}
