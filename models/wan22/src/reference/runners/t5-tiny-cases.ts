import { maxAbsDiff, maxAbsDiffInt } from '../compare.ts';
import {
  openReferenceCases,
  openReferenceWeights,
  referenceConfig,
  weightsFileFor,
} from '../reference-io.ts';
import {
  DEFAULT_VARIANT,
  halfPrecisionTolerance,
  type CaseResult,
  type ReferenceRunner,
} from '../reference-types.ts';
import { encodeModel } from '../../onnx/model-writer.ts';
import { createSession, i64, runSession } from '../../onnx/session.ts';
import { relativeBucketTable } from '../../t5/relative-buckets.ts';
import { t5ConfigFromReference } from '../../t5/t5-config.ts';
import { buildT5EncoderGraph } from '../../t5/t5-encoder-graph.ts';
import { trimContext } from '../../t5/t5-context.ts';

/**
 * umT5 encoder: every batch row runs through the batch-1 graph; `out` is compared on all rows,
 * `context_<b>` after the pipeline's trim, and the same ids padded to text_len must trim to the
 * same context (padding must not leak into real rows).
 */
export const runner: ReferenceRunner = {
  file: 't5-tiny-cases.safetensors',
  async run(ctx) {
    const weightsFile = weightsFileFor(ctx.file);
    const config = t5ConfigFromReference(await referenceConfig(ctx, weightsFile));
    await using cases = await openReferenceCases(ctx);
    const weights = await openReferenceWeights(ctx, weightsFile);
    const variant = ctx.variant ?? DEFAULT_VARIANT;
    const half = variant.precision === 'fp16';
    const tolFor = (expected: Float32Array): number =>
      half ? halfPrecisionTolerance(expected) : ctx.tolerance();
    const results: CaseResult[] = [];
    try {
      const session = await createSession(
        await encodeModel(buildT5EncoderGraph(config, weights, { dtype: half ? 'float16' : 'float32' })),
        { executionProviders: [variant.provider] },
      );
      const idsInfo = cases.get('ids');
      const [batch, length] = idsInfo.shape;
      const ids = await cases.readInt64('ids');
      const mask = await cases.readInt64('mask');
      const expected = await cases.readFloat32('out');
      const got = new Float32Array(expected.length);
      for (let b = 0; b < batch; b++) {
        const rowIds = ids.slice(b * length, (b + 1) * length);
        const rowMask = mask.slice(b * length, (b + 1) * length);
        const out = await runSession(session, {
          ids: i64([1, length], rowIds),
          mask: i64([1, length], rowMask),
        });
        const rowOut = out['out'].data as Float32Array;
        got.set(rowOut, b * length * config.dim);
        const contextName = `context_${b}`;
        if (cases.has(contextName)) {
          const context = trimContext(rowOut, config.dim, rowMask);
          const want = await cases.readFloat32(contextName);
          results.push({ name: contextName, maxAbsError: diffOrInf(context, want), tolerance: tolFor(want) });
          // Same prompt padded to text_len, as the tokenizer returns it for the pipeline.
          const padded = config.maxLength;
          const pIds = new BigInt64Array(padded);
          const pMask = new BigInt64Array(padded);
          pIds.set(rowIds);
          pMask.set(rowMask);
          const long = await runSession(session, {
            ids: i64([1, padded], pIds),
            mask: i64([1, padded], pMask),
          });
          const longContext = trimContext(long['out'].data as Float32Array, config.dim, pMask);
          results.push({
            name: `${contextName}(ids padded to ${padded})`,
            maxAbsError: diffOrInf(longContext, want),
            tolerance: tolFor(want),
          });
        }
      }
      results.unshift({
        name: 'out(all rows)',
        maxAbsError: maxAbsDiff(got, expected),
        tolerance: tolFor(expected),
      });
      if (cases.has('dbg.rel_buckets')) {
        const expectedBuckets = await cases.readInt64('dbg.rel_buckets');
        const table = relativeBucketTable(config.maxLength, config.numBuckets);
        const mine = new BigInt64Array(length * length);
        for (let i = 0; i < length; i++) {
          for (let j = 0; j < length; j++) mine[i * length + j] = table[j - i + config.maxLength - 1];
        }
        results.push({
          name: 'dbg.rel_buckets(exact)',
          maxAbsError: maxAbsDiffInt(mine, expectedBuckets),
          tolerance: 0,
        });
      }
    } finally {
      await weights.close();
    }
    return results;
  },
};

function diffOrInf(a: Float32Array, b: Float32Array): number {
  return a.length === b.length ? maxAbsDiff(a, b) : Number.POSITIVE_INFINITY;
}
