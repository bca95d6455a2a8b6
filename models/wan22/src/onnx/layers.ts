// Building blocks shared by the umT5, DiT (and VAE) graphs. Activations are 2-D [tokens, features]
// wherever possible: the pipeline runs batch 1, and Gemm(transB=1) then consumes PyTorch's
// [out, in] Linear weights as stored, so checkpoints stream into the model without a transpose.
import type { GraphBuilder } from './graph-builder.ts';
import type { OnnxDType } from './onnx-types.ts';
import { weight, type WeightDType, type WeightStore } from './weights.ts';

export interface LayerContext {
  readonly g: GraphBuilder;
  readonly weights: WeightStore;
  /** Precision of matmul weights and activations (norms and modulation stay float32). */
  readonly dtype: WeightDType;
}

export function cast(g: GraphBuilder, x: string, to: OnnxDType, name?: string): string {
  const codes: Record<string, number> = { float32: 1, float16: 10, float64: 11, int64: 7, int32: 6, bool: 9 };
  return g.op('Cast', [x], { to: codes[to] }, { name: name ?? `cast_${to}` });
}

/** x [n, in] -> x W^T + b with the official [out, in] weight (and optional bias). */
export function linear(
  ctx: LayerContext,
  x: string,
  prefix: string,
  options: { bias?: boolean } = {},
): string {
  const w = weight(ctx.g, ctx.weights, `${prefix}.weight`, ctx.dtype);
  const inputs = [x, w];
  if (options.bias ?? ctx.weights.has(`${prefix}.bias`))
    inputs.push(weight(ctx.g, ctx.weights, `${prefix}.bias`, ctx.dtype));
  return ctx.g.op('Gemm', inputs, { transB: 1 }, { name: prefix });
}

/** LayerNorm over the last axis in float32 (input cast up if needed); affine when weights exist. */
export function layerNorm(ctx: LayerContext, x32: string, dim: number, eps: number, prefix?: string): string {
  const g = ctx.g;
  const scale = prefix
    ? weight(g, ctx.weights, `${prefix}.weight`, 'float32')
    : g.constant('float32', [dim], new Float32Array(dim).fill(1), 'ones');
  const inputs = [x32, scale];
  if (prefix && ctx.weights.has(`${prefix}.bias`))
    inputs.push(weight(g, ctx.weights, `${prefix}.bias`, 'float32'));
  return g.op('LayerNormalization', inputs, { axis: -1, epsilon: eps }, { name: prefix ?? 'layer_norm' });
}

/** x * rsqrt(mean(x^2) + eps) over the last axis, float32 in and out, optional weight. */
export function rmsNorm(
  g: GraphBuilder,
  x32: string,
  eps: number,
  scale?: string,
  name = 'rms_norm',
): string {
  const sq = g.op('Mul', [x32, x32], {}, { name: `${name}/sq` });
  const mean = g.op('ReduceMean', [sq, g.ints([-1])], { keepdims: 1 }, { name: `${name}/mean` });
  const denom = g.op('Sqrt', [g.op('Add', [mean, g.scalar(eps)])], {}, { name: `${name}/sqrt` });
  const normed = g.op('Div', [x32, denom], {}, { name: `${name}/div` });
  return scale ? g.op('Mul', [normed, scale], {}, { name: `${name}/scale` }) : normed;
}

/** GELU with the tanh approximation (PyTorch approximate='tanh'). */
export function geluTanh(g: GraphBuilder, x: string): string {
  return g.op('Gelu', [x], { approximate: 'tanh' });
}

export function silu(g: GraphBuilder, x: string): string {
  return g.op('Mul', [x, g.op('Sigmoid', [x])], {}, { name: 'silu' });
}

/**
 * Multi-head attention on 2-D inputs q [Lq, n*d], k/v [Lk, n*d] -> [Lq, n*d]. `bias` (optional,
 * [n, Lq, Lk] or broadcastable) is added to the logits; `scale` multiplies q.k (T5 uses 1).
 * fused=true emits com.microsoft MultiHeadAttention (CUDA flash/memory-efficient kernels) instead
 * of the explicit MatMul/Softmax chain, which would need Lq*Lk memory per head.
 */
export function attention(
  g: GraphBuilder,
  q: string,
  k: string,
  v: string,
  heads: number,
  headDim: number,
  options: { scale: number; bias?: string; fused?: boolean; name?: string; dtype?: 'float32' | 'float16' },
): string {
  const name = options.name ?? 'attn';
  if (options.fused) {
    if (options.bias) throw new Error('fused attention with an additive bias is not supported here');
    const q3 = g.op('Unsqueeze', [q, g.ints([0])]);
    const k3 = g.op('Unsqueeze', [k, g.ints([0])]);
    const v3 = g.op('Unsqueeze', [v, g.ints([0])]);
    const out = g.op(
      'MultiHeadAttention',
      [q3, k3, v3],
      { num_heads: heads, scale: { kind: 'float', value: options.scale } },
      { domain: 'com.microsoft', name },
    );
    return g.op('Squeeze', [out, g.ints([0])]);
  }
  const split = (x: string, perm: number[], tag: string): string =>
    g.op(
      'Transpose',
      [g.op('Reshape', [x, g.ints([0, heads, headDim])], {}, { name: `${name}/${tag}_heads` })],
      { perm },
    );
  const qh = split(q, [1, 0, 2], 'q'); // [n, Lq, d]
  const kh = split(k, [1, 2, 0], 'k'); // [n, d, Lk]
  const vh = split(v, [1, 0, 2], 'v'); // [n, Lk, d]
  let logits = g.op('MatMul', [qh, kh], {}, { name: `${name}/qk` });
  if (options.scale !== 1) {
    logits = g.op(
      'Mul',
      [logits, g.scalar(options.scale, options.dtype ?? 'float32')],
      {},
      { name: `${name}/scale` },
    );
  }
  if (options.bias) logits = g.op('Add', [logits, options.bias], {}, { name: `${name}/bias` });
  const probs = g.op('Softmax', [logits], { axis: -1 }, { name: `${name}/softmax` });
  const ctx = g.op('MatMul', [probs, vh], {}, { name: `${name}/pv` }); // [n, Lq, d]
  const merged = g.op('Transpose', [ctx], { perm: [1, 0, 2] });
  return g.op('Reshape', [merged, g.ints([0, heads * headDim])], {}, { name: `${name}/merge` });
}
