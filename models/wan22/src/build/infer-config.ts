import type { WeightStore } from '../onnx/weights.ts';
import type { T5Config } from '../t5/t5-config.ts';
import { WAN22_VAE_CONFIG, type WanVaeConfig } from '../vae/vae-config.ts';

// The official .pth files carry no config: read the sizes off the tensors (the full parameter
// list is then checked against parameter-shapes.ts, so a wrong guess cannot slip through).

export function t5ConfigFromWeights(w: WeightStore, maxLength: number): T5Config {
  const [vocabSize, dim] = w.shape('token_embedding.weight');
  let numLayers = 0;
  while (w.has(`blocks.${numLayers}.norm1.weight`)) numLayers++;
  if (numLayers === 0) throw new Error('umT5 checkpoint has no blocks.0.norm1.weight');
  const [numBuckets, numHeads] = w.shape('blocks.0.pos_embedding.embedding.weight');
  return {
    vocabSize,
    dim,
    dimAttn: w.shape('blocks.0.attn.q.weight')[0],
    dimFfn: w.shape('blocks.0.ffn.fc1.weight')[0],
    numHeads,
    numLayers,
    numBuckets,
    maxLength,
    eps: 1e-6,
  };
}

/** Widths of a Wan2.2 VAE checkpoint; the stage layout is Wan2.2's (dim_mult 1,2,4,4, 2 res blocks). */
export function vaeConfigFromWeights(w: WeightStore): WanVaeConfig {
  const mult = WAN22_VAE_CONFIG.dimMult;
  return {
    ...WAN22_VAE_CONFIG,
    dim: w.shape('encoder.conv1.weight')[0],
    decDim: w.shape('decoder.conv1.weight')[0] / mult[mult.length - 1],
    zDim: w.shape('conv2.weight')[0],
  };
}
