import { GraphBuilder } from '../onnx/graph-builder.ts';
import { attention, cast, geluTanh, linear, rmsNorm, type LayerContext } from '../onnx/layers.ts';
import { weight, type WeightDType, type WeightStore } from '../onnx/weights.ts';
import { relativeBucketTable } from './relative-buckets.ts';
import type { T5Config } from './t5-config.ts';

const FLOAT32_MIN = -3.4028234663852886e38;

export interface T5GraphOptions {
  /**
   * float32 for CPU; float16 for CUDA: the q/k/v/o and FFN input matmuls in half precision; the
   * residual stream, the norms, the softmax, the FFN's gated product and output projection in
   * float32 (see buildT5EncoderGraph).
   */
  readonly dtype: WeightDType;
  /**
   * Also output the official intermediates as `dbg:<name>` (float32 graphs only): embed, blocks.N.pos_bias,
   * .attn_bias, .attn_logits ([n, L, L]), .attn_out, .ffn_out, .out ([L, dim]) - the tensors of
   * t5-tiny-intermediates.safetensors without their batch axis.
   */
  readonly debugOutputs?: boolean;
}

/**
 * umT5 encoder (official T5Encoder, shared_pos=False): inputs `ids` and `mask` int64 [1, L]
 * (L <= maxLength), output `out` float32 [1, L, dim] for every row, padding rows included; the
 * pipeline keeps the first mask.sum() rows (see t5-context.ts).
 *
 * float16: the official checkpoint is bfloat16, which has float32's range, and umT5-XXL's FFN
 * activations exceed float16's 65504. The official fp16 path clamps the residual stream after an
 * overflow, but an overflow inside the FFN (the gated product, then fc2 over it) is already inf
 * or NaN by then. So here, as Hugging Face transformers keeps T5's `wo` in float32, the residual
 * stream stays float32, and the FFN's gated product and its output projection (fc2) run in
 * float32 on float32 weights; only the matmuls over normalised inputs run in half precision.
 */
export function buildT5EncoderGraph(
  config: T5Config,
  weights: WeightStore,
  options: T5GraphOptions,
): GraphBuilder {
  const g = new GraphBuilder('umt5_encoder');
  const ctx: LayerContext = { g, weights, dtype: options.dtype };
  const fp16 = options.dtype === 'float16';
  const ids = g.input('ids', 'int64', [1, 'L']);
  const mask = g.input('mask', 'int64', [1, 'L']);
  const headDim = config.dimAttn / config.numHeads;

  // Relative bucket index [L, L] for (query i, key j), shared by all layers.
  const ids2d = g.op('Squeeze', [ids, g.ints([0])], {}, { name: 'ids_1d' });
  const length = g.op('Shape', [ids2d], {}, { name: 'seq_len' });
  const lengthScalar = g.op('Squeeze', [length, g.ints([0])]);
  const zero = g.constant('int64', [], new BigInt64Array([0n]), 'zero');
  const one = g.constant('int64', [], new BigInt64Array([1n]), 'one');
  const positions = g.op('Range', [zero, lengthScalar, one], {}, { name: 'positions' });
  const keyPos = g.op('Unsqueeze', [positions, g.ints([0])]);
  const queryPos = g.op('Unsqueeze', [positions, g.ints([1])]);
  const rel = g.op('Sub', [keyPos, queryPos], {}, { name: 'rel_pos' });
  const relIndex = g.op('Add', [
    rel,
    g.constant('int64', [], new BigInt64Array([BigInt(config.maxLength - 1)])),
  ]);
  const table = g.constant(
    'int64',
    [2 * config.maxLength - 1],
    relativeBucketTable(config.maxLength, config.numBuckets),
    'rel_bucket_table',
  );
  const buckets = g.op('Gather', [table, relIndex], { axis: 0 }, { name: 'rel_buckets' });

  // Padding keys get finfo(float32).min, as T5Attention's masked_fill does; [1, L] broadcasts over queries.
  const maskF = g.op('Cast', [mask], { to: 1 });
  const notMask = g.op('Sub', [g.scalar(1), maskF]);
  const maskBias = g.op('Mul', [notMask, g.scalar(FLOAT32_MIN)], {}, { name: 'mask_bias' });

  const table16 = weight(g, weights, 'token_embedding.weight', options.dtype);
  // The residual stream [L, dim], float32 in both precisions.
  let x = g.op('Gather', [table16, ids2d], { axis: 0 }, { name: 'token_embedding' });
  if (fp16) x = cast(g, x, 'float32', 'residual_float32');
  const ctx32: LayerContext = { ...ctx, dtype: 'float32' };
  const to32 = (value: string): string => (fp16 ? cast(g, value, 'float32') : value);
  const debug = options.debugOutputs === true && !fp16;
  const tap = (value: string, name: string, dims: (string | number)[]): void => {
    if (debug) g.output(value, `dbg:${name}`, 'float32', dims);
  };
  tap(x, 'embed', ['L', config.dim]);

  for (let i = 0; i < config.numLayers; i++) {
    const p = `blocks.${i}`;
    // Position bias [n, Lq, Lk] of this layer's own table, plus the mask: float32 throughout.
    const posTable = weight(g, weights, `${p}.pos_embedding.embedding.weight`, 'float32');
    const pos = g.op('Gather', [posTable, buckets], { axis: 0 }, { name: `${p}.pos_bias` }); // [L, L, n]
    const posBias = g.op('Transpose', [pos], { perm: [2, 0, 1] });
    const bias = g.op('Add', [posBias, maskBias], {}, { name: `${p}.attn_bias` });

    const h = t5Norm(ctx, x, `${p}.norm1`, config.eps);
    const q = linear(ctx, h, `${p}.attn.q`, { bias: false });
    const k = linear(ctx, h, `${p}.attn.k`, { bias: false });
    const v = linear(ctx, h, `${p}.attn.v`, { bias: false });
    tap(posBias, `${p}.pos_bias`, [config.numHeads, 'L', 'L']);
    tap(bias, `${p}.attn_bias`, [config.numHeads, 'L', 'L']);
    if (debug) {
      const heads = (t: string, perm: number[]): string =>
        g.op('Transpose', [g.op('Reshape', [t, g.ints([0, config.numHeads, headDim])])], { perm });
      const logits = g.op('Add', [g.op('MatMul', [heads(q, [1, 0, 2]), heads(k, [1, 2, 0])]), bias]);
      tap(logits, `${p}.attn_logits`, [config.numHeads, 'L', 'L']);
    }
    const attn = fp16
      ? castBack(
          g,
          attention(
            g,
            cast(g, q, 'float32'),
            cast(g, k, 'float32'),
            cast(g, v, 'float32'),
            config.numHeads,
            headDim,
            { scale: 1, bias, name: `${p}.attn` },
          ),
        )
      : attention(g, q, k, v, config.numHeads, headDim, { scale: 1, bias, name: `${p}.attn` });
    const attnOut = to32(linear(ctx, attn, `${p}.attn.o`, { bias: false }));
    tap(attnOut, `${p}.attn_out`, ['L', config.dim]);
    x = g.op('Add', [x, attnOut], {}, { name: `${p}.attn_residual` });

    const h2 = t5Norm(ctx, x, `${p}.norm2`, config.eps);
    const gate = geluTanh(g, to32(linear(ctx, h2, `${p}.ffn.gate.0`, { bias: false })));
    const hidden = g.op(
      'Mul',
      [to32(linear(ctx, h2, `${p}.ffn.fc1`, { bias: false })), gate],
      {},
      { name: `${p}.ffn.mul` },
    );
    const ffnOut = linear(ctx32, hidden, `${p}.ffn.fc2`, { bias: false });
    tap(ffnOut, `${p}.ffn_out`, ['L', config.dim]);
    x = g.op('Add', [x, ffnOut], {}, { name: `${p}.ffn_residual` });
    tap(x, `${p}.out`, ['L', config.dim]);
  }
  const out = to32(t5Norm(ctx, x, 'norm', config.eps));
  g.output(g.op('Unsqueeze', [out, g.ints([0])]), 'out', 'float32', [1, 'L', config.dim]);
  return g;
}

/**
 * T5LayerNorm: RMS only, in float32 over the float32 residual stream, cast to the weight dtype
 * before the scale (the matmul that follows runs in that dtype).
 */
function t5Norm(ctx: LayerContext, x32: string, prefix: string, eps: number): string {
  const { g } = ctx;
  const scale = weight(g, ctx.weights, `${prefix}.weight`, ctx.dtype);
  if (ctx.dtype === 'float32') return rmsNorm(g, x32, eps, scale, prefix);
  const normed = rmsNorm(g, x32, eps, undefined, prefix);
  return g.op('Mul', [cast(g, normed, 'float16'), scale], {}, { name: `${prefix}/scale` });
}

function castBack(g: GraphBuilder, x: string): string {
  return cast(g, x, 'float16');
}
