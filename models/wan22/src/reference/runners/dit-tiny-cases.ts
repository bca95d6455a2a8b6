import { maxAbsDiff } from '../compare.ts';
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
import { ditConfigFromOfficial } from '../../dit/dit-config.ts';
import { buildDitGraph } from '../../dit/dit-graph.ts';
import { encodeModel } from '../../onnx/model-writer.ts';
import { createSession, f32, runSession } from '../../onnx/session.ts';

/**
 * WanModel.forward cases: `<case>.x`, `.t` [1, seq_len], `.context`, `.seq_len` in, `<case>.out`
 * expected. The graph always runs on the real tokens: seq_len padding only adds masked keys and
 * discarded rows, so the first L entries of t are the per-token timesteps (case e checks this).
 */
export const runner: ReferenceRunner = {
  file: 'dit-tiny-cases.safetensors',
  async run(ctx) {
    const weightsFile = weightsFileFor(ctx.file);
    const config = ditConfigFromOfficial(await referenceConfig(ctx, weightsFile));
    await using cases = await openReferenceCases(ctx);
    const weights = await openReferenceWeights(ctx, weightsFile);
    const results: CaseResult[] = [];
    const variant = ctx.variant ?? DEFAULT_VARIANT;
    const half = variant.precision === 'fp16';
    const tolerance = (expected: Float32Array): number =>
      half ? halfPrecisionTolerance(expected) : ctx.tolerance();
    try {
      const hasDebug = cases.names.some((n) => n.includes('.dbg.'));
      const graph = buildDitGraph(config, weights, {
        dtype: half ? 'float16' : 'float32',
        fusedAttention: variant.provider === 'cuda',
        debugOutputs: hasDebug,
      });
      const session = await createSession(await encodeModel(graph), {
        executionProviders: [variant.provider],
      });
      const names = cases.names.filter((n) => n.endsWith('.out')).map((n) => n.slice(0, -'.out'.length));
      for (const name of names) {
        const xInfo = cases.get(`${name}.x`);
        const [, f, hh, w] = xInfo.shape;
        const [pt, ph, pw] = config.patchSize;
        const tokens = (f / pt) * (hh / ph) * (w / pw);
        const t = (await cases.readFloat32(`${name}.t`)).slice(0, tokens);
        const context = await cases.readFloat32(`${name}.context`);
        const out = await runSession(session, {
          x: f32(xInfo.shape, await cases.readFloat32(`${name}.x`)),
          t: f32([tokens], t),
          context: f32(cases.get(`${name}.context`).shape, context),
        });
        const expected = await cases.readFloat32(`${name}.out`);
        results.push({
          name: `${name}.out`,
          maxAbsError: maxAbsDiff(out['out'].data as Float32Array, expected),
          tolerance: tolerance(expected),
        });
        // Debug intermediates (same layout without the batch axis), held to the same tolerance.
        for (const dbg of cases.names.filter((n) => n.startsWith(`${name}.dbg.`))) {
          const got = out[`dbg:${dbg.slice(`${name}.dbg.`.length)}`];
          const want = await cases.readFloat32(dbg);
          const data = got?.data as Float32Array | undefined;
          results.push(
            data && data.length === want.length
              ? { name: dbg, maxAbsError: maxAbsDiff(data, want), tolerance: tolerance(want) }
              : {
                  name: dbg,
                  maxAbsError: Number.NaN,
                  tolerance: ctx.tolerance(),
                  failure: 'no matching graph output',
                },
          );
        }
      }
    } finally {
      await weights.close();
    }
    return results;
  },
};
