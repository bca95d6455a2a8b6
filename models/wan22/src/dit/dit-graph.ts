import { GraphBuilder } from '../onnx/graph-builder.ts';
import {
  attention,
  cast,
  geluTanh,
  layerNorm,
  linear,
  rmsNorm,
  silu,
  type LayerContext,
} from '../onnx/layers.ts';
import { weight, type WeightDType, type WeightStore } from '../onnx/weights.ts';
import { headDim, type DitConfig } from './dit-config.ts';
import { ropeTables } from './rope.ts';

export interface DitGraphOptions {
  /**
   * float32: everything in float32 (CPU). float16: matmuls, attention and text embedding in fp16;
   * the official float32 islands stay float32 (time embedding and projection, modulation, the
   * residual stream, LayerNorms, qk RMSNorm, RoPE, head).
   */
  readonly dtype: WeightDType;
  /** com.microsoft MultiHeadAttention instead of MatMul/Softmax (CUDA; 27k tokens at 720p). */
  readonly fusedAttention: boolean;
  /**
   * Also output the reference's debug tensors as `dbg:<name>` (float32 graphs): patch_embedding
   * [1, dim, f, h, w], e [L, dim], e0 [L, 6, dim], context_emb [Lc + 1, dim] (the real rows and one
   * padding row), block<N> [L, dim], head [L, prod(patch) * out_dim].
   */
  readonly debugOutputs?: boolean;
}

/**
 * WanModel.forward for one sample (batch 1; CFG runs the graph twice):
 *   x        float32 [in_dim, F, H, W]  latent video
 *   t        float32 [L]                 per-token timestep, L = F*H*W / prod(patch) (i2v: 0 on frame 0)
 *   context  float32 [Lc, text_dim]      umT5 output trimmed to the real tokens (Lc <= text_len)
 *   out      float32 [out_dim, F, H, W]  predicted flow
 */
export function buildDitGraph(
  config: DitConfig,
  weights: WeightStore,
  options: DitGraphOptions,
): GraphBuilder {
  const g = new GraphBuilder('wan_dit');
  const dtype = options.dtype;
  const fp16 = dtype === 'float16';
  const ctx: LayerContext = { g, weights, dtype };
  const ctx32: LayerContext = { g, weights, dtype: 'float32' };
  const toCompute = (v: string): string => (fp16 ? cast(g, v, 'float16') : v);
  const toF32 = (v: string): string => (fp16 ? cast(g, v, 'float32') : v);
  const dim = config.dim;
  const heads = config.numHeads;
  const hd = headDim(config);
  const [pt, ph, pw] = config.patchSize;

  const x = g.input('x', 'float32', [config.inDim, 'F', 'H', 'W']);
  const t = g.input('t', 'float32', ['L']);
  const context = g.input('context', 'float32', ['Lc', config.textDim]);

  // Patch embedding: Conv3d with kernel = stride = patch, then tokens in (frame, row, col) order.
  const x5 = g.op('Unsqueeze', [toCompute(x), g.ints([0])]);
  const patches = g.op(
    'Conv',
    [
      x5,
      weight(g, weights, 'patch_embedding.weight', dtype),
      weight(g, weights, 'patch_embedding.bias', dtype),
    ],
    { kernel_shape: [pt, ph, pw], strides: [pt, ph, pw] },
    { name: 'patch_embedding' },
  ); // [1, dim, f, h, w]
  const grid = g.op('Slice', [g.op('Shape', [patches]), g.ints([2]), g.ints([5])], {}, { name: 'grid' }); // [f, h, w]
  const tokens = g.op('Transpose', [g.op('Reshape', [patches, g.ints([dim, -1])])], { perm: [1, 0] });
  let h = toF32(tokens); // residual stream [L, dim], float32 as in the official blocks

  // Time embedding per token: sinusoid in float64 (cos first), then the float32 MLPs.
  // Per-token timesteps take only a couple of distinct values (i2v: 0 on frame 0, t elsewhere), so
  // the embedding MLPs run once per distinct value and rows are gathered per token where used:
  // row for row the same arithmetic as the official per-token computation, without a
  // [L, 6, dim] float32 tensor (2 GB at 720p) or the L-row time projection.
  const [tUnique, , tIndex] = g.opN('Unique', [t], 4, { sorted: 1 }, { name: 'timesteps' });
  const half = config.freqDim / 2;
  const freqs = Float64Array.from({ length: half }, (_, i) => Math.pow(10000, -i / half));
  const t64 = g.op('Unsqueeze', [g.op('Cast', [tUnique], { to: 11 }), g.ints([1])]);
  const angles = g.op(
    'Mul',
    [t64, g.constant('float64', [1, half], freqs, 'time_freqs')],
    {},
    { name: 'time_angles' },
  );
  const sinusoid = g.op('Concat', [g.op('Cos', [angles]), g.op('Sin', [angles])], { axis: 1 });
  const tEmb = cast(g, sinusoid, 'float32');
  const eU = linear(ctx32, silu(g, linear(ctx32, tEmb, 'time_embedding.0')), 'time_embedding.2'); // [U, dim]
  const e0U = g.op('Reshape', [linear(ctx32, silu(g, eU), 'time_projection.1'), g.ints([-1, 6, dim])]); // [U, 6, dim]
  const perToken = (value: string, name?: string): string =>
    g.op('Gather', [value, tIndex], { axis: 0 }, { name });
  const debug = options.debugOutputs === true;
  const tap = (value: string, name: string, dims: (string | number)[]): void => {
    if (debug) g.output(toF32(value), `dbg:${name}`, 'float32', dims);
  };
  tap(patches, 'patch_embedding', [1, dim, 'f', 'h', 'w']);
  if (debug) {
    tap(perToken(eU), 'e', ['L', dim]);
    tap(perToken(e0U), 'e0', ['L', 6, dim]);
  }
  const e0Chunks = g
    .opN('Split', [e0U], 6, { axis: 1, num_outputs: 6 }, { name: 'e0' })
    .map((c) => g.op('Squeeze', [c, g.ints([1])])); // 6 x [U, dim]

  // Text context: zero rows up to text_len (exact zeros), then text_embedding; all rows attend.
  const lc = g.op('Slice', [g.op('Shape', [context]), g.ints([0]), g.ints([1])]);
  const padRows = g.op('Sub', [g.ints([config.textLen]), lc], {}, { name: 'context_pad_rows' });
  const pads = g.op('Concat', [g.ints([0, 0]), padRows, g.ints([0])], { axis: 0 });
  const padded = g.op('Pad', [context, pads], { mode: 'constant' }, { name: 'context_pad' });
  const ctxEmb = linear(
    ctx,
    geluTanh(g, linear(ctx, toCompute(padded), 'text_embedding.0')),
    'text_embedding.2',
  );

  if (debug) {
    const rows = g.op('Add', [lc, g.ints([1])]);
    tap(g.op('Slice', [ctxEmb, g.ints([0]), rows, g.ints([0])]), 'context_emb', ['Lc1', dim]);
  }

  const rope = buildRope(g, grid, hd);

  for (let i = 0; i < config.numLayers; i++) {
    const p = `blocks.${i}`;
    // (modulation + e0).chunk(6): added per chunk right where it is used, so that at 720p only
    // one [L, dim] float32 chunk is alive at a time instead of a second [L, 6, dim] tensor.
    const mod = g.opN('Split', [weight(g, weights, `${p}.modulation`, 'float32')], 6, {
      axis: 1,
      num_outputs: 6,
    });
    const chunk = (k: number): string =>
      perToken(g.op('Add', [e0Chunks[k], g.op('Reshape', [mod[k], g.ints([1, dim])])]), `${p}.e${k}`);
    const [shift1, scale1] = [0, 1].map(chunk);

    // Self-attention on the modulated, non-affine LayerNorm.
    const n1 = modulate(g, layerNorm(ctx32, h, dim, config.eps), shift1, scale1);
    const a = toCompute(n1);
    let q = linear(ctx, a, `${p}.self_attn.q`);
    let k = linear(ctx, a, `${p}.self_attn.k`);
    const v = linear(ctx, a, `${p}.self_attn.v`);
    if (config.qkNorm) {
      q = qkNorm(ctx, q, `${p}.self_attn.norm_q`, config.eps);
      k = qkNorm(ctx, k, `${p}.self_attn.norm_k`, config.eps);
    } else {
      q = toF32(q);
      k = toF32(k);
    }
    q = toCompute(applyRope(g, q, rope, heads, hd, `${p}.rope_q`));
    k = toCompute(applyRope(g, k, rope, heads, hd, `${p}.rope_k`));
    const sa = attention(g, q, k, v, heads, hd, {
      scale: 1 / Math.sqrt(hd),
      fused: options.fusedAttention,
      dtype,
      name: `${p}.self_attn`,
    });
    const y = toF32(linear(ctx, sa, `${p}.self_attn.o`));
    h = g.op('Add', [h, g.op('Mul', [y, chunk(2)])], {}, { name: `${p}.self_attn_residual` });

    // Cross-attention over all text_len context rows (context_lens = None), no modulation.
    const n3 = config.crossAttnNorm ? layerNorm(ctx32, h, dim, config.eps, `${p}.norm3`) : h;
    const c = toCompute(n3);
    let cq = linear(ctx, c, `${p}.cross_attn.q`);
    let ck = linear(ctx, ctxEmb, `${p}.cross_attn.k`);
    const cv = linear(ctx, ctxEmb, `${p}.cross_attn.v`);
    if (config.qkNorm) {
      cq = toCompute(qkNorm(ctx, cq, `${p}.cross_attn.norm_q`, config.eps));
      ck = toCompute(qkNorm(ctx, ck, `${p}.cross_attn.norm_k`, config.eps));
    }
    const ca = attention(g, cq, ck, cv, heads, hd, {
      scale: 1 / Math.sqrt(hd),
      fused: options.fusedAttention,
      dtype,
      name: `${p}.cross_attn`,
    });
    h = g.op(
      'Add',
      [h, toF32(linear(ctx, ca, `${p}.cross_attn.o`))],
      {},
      { name: `${p}.cross_attn_residual` },
    );

    // FFN (Linear, tanh GELU, Linear) on the modulated LayerNorm.
    const [shift2, scale2] = [3, 4].map(chunk);
    const n2 = toCompute(modulate(g, layerNorm(ctx32, h, dim, config.eps), shift2, scale2));
    const ff = toF32(linear(ctx, geluTanh(g, linear(ctx, n2, `${p}.ffn.0`)), `${p}.ffn.2`));
    h = g.op('Add', [h, g.op('Mul', [ff, chunk(5)])], {}, { name: `${p}.ffn_residual` });
    tap(h, `block${i}`, ['L', dim]);
  }

  // Head (float32 as in the official autocast(float32) block): modulation + e, not e0.
  const headMod = weight(g, weights, 'head.modulation', 'float32'); // [1, 2, dim]
  const headPart = (k: bigint): string =>
    perToken(
      g.op('Add', [
        eU,
        g.op('Gather', [headMod, g.constant('int64', [], new BigInt64Array([k]))], { axis: 1 }),
      ]),
    );
  const headShift = headPart(0n);
  const headScale = headPart(1n);
  const headIn = modulate(g, layerNorm(ctx32, h, dim, config.eps), headShift, headScale);
  const headOut = linear(ctx32, headIn, 'head.head'); // [L, prod(patch) * out_dim]
  tap(headOut, 'head', ['L', pt * ph * pw * config.outDim]);

  // Unpatchify: channel index ((a*ph + b)*pw + c)*out_dim + ch -> pixel (ch, f*pt+a, y*ph+b, x*pw+c).
  const unflat = g.op('Concat', [grid, g.ints([pt, ph, pw, config.outDim])], { axis: 0 });
  const u = g.op('Reshape', [headOut, unflat]); // [f, h, w, pt, ph, pw, c]
  const perm = g.op('Transpose', [u], { perm: [6, 0, 3, 1, 4, 2, 5] }); // [c, f, pt, h, ph, w, pw]
  const outShape = g.op('Concat', [g.ints([config.outDim]), g.op('Mul', [grid, g.ints([pt, ph, pw])])], {
    axis: 0,
  });
  g.output(g.op('Reshape', [perm, outShape], {}, { name: 'unpatchify' }), 'out', 'float32', [
    config.outDim,
    'F',
    'H',
    'W',
  ]);
  return g;
}

/** x * (1 + scale) + shift, float32. */
function modulate(g: GraphBuilder, x: string, shift: string, scale: string): string {
  const scaled = g.op('Mul', [x, g.op('Add', [scale, g.scalar(1)])]);
  return g.op('Add', [scaled, shift]);
}

/** WanRMSNorm over the full dim (all heads together), float32; returns float32. */
function qkNorm(ctx: LayerContext, x: string, prefix: string, eps: number): string {
  const x32 = ctx.dtype === 'float16' ? cast(ctx.g, x, 'float32') : x;
  return rmsNorm(ctx.g, x32, eps, weight(ctx.g, ctx.weights, `${prefix}.weight`, 'float32'), prefix);
}

interface RopeValues {
  readonly cos: string; // [L, 1, pairs, 1]
  readonly sin: string;
}

/** Per-token cos/sin [L, 1, d/2, 1] for the grid (f, h, w), from float64-computed tables. */
function buildRope(g: GraphBuilder, grid: string, hd: number): RopeValues {
  const tables = ropeTables(hd);
  const [f, hh, w] = [0, 1, 2].map((i) => g.op('Slice', [grid, g.ints([i]), g.ints([i + 1])]));
  const expandShape = (pairs: number): string =>
    g.op('Concat', [grid, g.ints([pairs])], { axis: 0 }, { name: `rope_shape_${pairs}` });
  const axisTable = (which: 'cos' | 'sin', axis: number, length: string): string => {
    const pairs = tables.parts[axis];
    const table = g.constant(
      'float32',
      [tables.maxPositions, pairs],
      tables[which][axis],
      `rope_${which}_${['frame', 'height', 'width'][axis]}`,
    );
    const rows = g.op('Slice', [table, g.ints([0]), length, g.ints([0])]); // [n, pairs]
    const view = [
      [-1, 1, 1, pairs],
      [1, -1, 1, pairs],
      [1, 1, -1, pairs],
    ][axis];
    return g.op('Expand', [g.op('Reshape', [rows, g.ints(view)]), expandShape(pairs)]);
  };
  const build = (which: 'cos' | 'sin'): string => {
    const parts = [axisTable(which, 0, f), axisTable(which, 1, hh), axisTable(which, 2, w)];
    const joined = g.op('Concat', parts, { axis: -1 }, { name: `rope_${which}` }); // [f, h, w, d/2]
    return g.op('Reshape', [joined, g.ints([-1, 1, hd / 2, 1])]);
  };
  return { cos: build('cos'), sin: build('sin') };
}

/** Rotates interleaved pairs (2i, 2i+1) of each head: (a, b) -> (a cos - b sin, a sin + b cos). float32. */
function applyRope(
  g: GraphBuilder,
  x: string,
  rope: RopeValues,
  heads: number,
  hd: number,
  name: string,
): string {
  const pairs = g.op('Reshape', [x, g.ints([0, heads, hd / 2, 2])], {}, { name: `${name}/pairs` });
  const [a, b] = g.opN('Split', [pairs], 2, { axis: 3, num_outputs: 2 }, { name: `${name}/split` });
  const ra = g.op('Sub', [g.op('Mul', [a, rope.cos]), g.op('Mul', [b, rope.sin])]);
  const rb = g.op('Add', [g.op('Mul', [a, rope.sin]), g.op('Mul', [b, rope.cos])]);
  const joined = g.op('Concat', [ra, rb], { axis: 3 });
  return g.op('Reshape', [joined, g.ints([0, heads * hd])], {}, { name });
}
