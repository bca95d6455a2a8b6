// Official parameter names and shapes per component, from the configs alone: the tiny model is
// generated from them, bench/model-flops counts them, and the specs check them against the
// reference checkpoints so that a tiny model has exactly the real model's structure.
import { headDim, type DitConfig } from '../dit/dit-config.ts';
import type { T5Config } from '../t5/t5-config.ts';
import type { WanVaeConfig } from '../vae/vae-config.ts';

export type ParameterShapes = Map<string, readonly number[]>;

export function ditParameterShapes(c: DitConfig): ParameterShapes {
  const s: ParameterShapes = new Map();
  const [pt, ph, pw] = c.patchSize;
  const linear = (name: string, out: number, inp: number): void => {
    s.set(`${name}.weight`, [out, inp]);
    s.set(`${name}.bias`, [out]);
  };
  s.set('patch_embedding.weight', [c.dim, c.inDim, pt, ph, pw]);
  s.set('patch_embedding.bias', [c.dim]);
  linear('text_embedding.0', c.dim, c.textDim);
  linear('text_embedding.2', c.dim, c.dim);
  linear('time_embedding.0', c.dim, c.freqDim);
  linear('time_embedding.2', c.dim, c.dim);
  linear('time_projection.1', 6 * c.dim, c.dim);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `blocks.${i}`;
    s.set(`${p}.modulation`, [1, 6, c.dim]);
    for (const attn of ['self_attn', 'cross_attn']) {
      for (const proj of ['q', 'k', 'v', 'o']) linear(`${p}.${attn}.${proj}`, c.dim, c.dim);
      if (c.qkNorm) {
        s.set(`${p}.${attn}.norm_q.weight`, [c.dim]);
        s.set(`${p}.${attn}.norm_k.weight`, [c.dim]);
      }
      if (attn === 'self_attn' && c.crossAttnNorm) {
        s.set(`${p}.norm3.weight`, [c.dim]);
        s.set(`${p}.norm3.bias`, [c.dim]);
      }
    }
    linear(`${p}.ffn.0`, c.ffnDim, c.dim);
    linear(`${p}.ffn.2`, c.dim, c.ffnDim);
  }
  s.set('head.modulation', [1, 2, c.dim]);
  linear('head.head', pt * ph * pw * c.outDim, c.dim);
  void headDim;
  return s;
}

export function t5ParameterShapes(c: T5Config): ParameterShapes {
  const s: ParameterShapes = new Map();
  s.set('token_embedding.weight', [c.vocabSize, c.dim]);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `blocks.${i}`;
    s.set(`${p}.norm1.weight`, [c.dim]);
    for (const proj of ['q', 'k', 'v']) s.set(`${p}.attn.${proj}.weight`, [c.dimAttn, c.dim]);
    s.set(`${p}.attn.o.weight`, [c.dim, c.dimAttn]);
    s.set(`${p}.norm2.weight`, [c.dim]);
    s.set(`${p}.ffn.gate.0.weight`, [c.dimFfn, c.dim]);
    s.set(`${p}.ffn.fc1.weight`, [c.dimFfn, c.dim]);
    s.set(`${p}.ffn.fc2.weight`, [c.dim, c.dimFfn]);
    s.set(`${p}.pos_embedding.embedding.weight`, [c.numBuckets, c.numHeads]);
  }
  s.set('norm.weight', [c.dim]);
  return s;
}

/** WanVAE_ (wan/modules/vae2_2.py) state_dict names for a config. */
export function vaeParameterShapes(c: WanVaeConfig): ParameterShapes {
  const s: ParameterShapes = new Map();
  const conv3 = (name: string, out: number, inp: number, k: readonly number[]): void => {
    s.set(`${name}.weight`, [out, inp, ...k]);
    s.set(`${name}.bias`, [out]);
  };
  const residual = (p: string, inp: number, out: number): void => {
    s.set(`${p}.residual.0.gamma`, [inp, 1, 1, 1]);
    conv3(`${p}.residual.2`, out, inp, [3, 3, 3]);
    s.set(`${p}.residual.3.gamma`, [out, 1, 1, 1]);
    conv3(`${p}.residual.6`, out, out, [3, 3, 3]);
    if (inp !== out) conv3(`${p}.shortcut`, out, inp, [1, 1, 1]);
  };
  const middle = (p: string, d: number): void => {
    residual(`${p}.middle.0`, d, d);
    s.set(`${p}.middle.1.norm.gamma`, [d, 1, 1]);
    conv3(`${p}.middle.1.to_qkv`, 3 * d, d, [1, 1]);
    conv3(`${p}.middle.1.proj`, d, d, [1, 1]);
    residual(`${p}.middle.2`, d, d);
  };
  const stages = c.dimMult.length;
  const enc = [1, ...c.dimMult].map((m) => m * c.dim);
  conv3('encoder.conv1', enc[0], 12, [3, 3, 3]);
  for (let i = 0; i < stages; i++) {
    const p = `encoder.downsamples.${i}.downsamples`;
    let d = enc[i];
    for (let j = 0; j < c.numResBlocks; j++) {
      residual(`${p}.${j}`, d, enc[i + 1]);
      d = enc[i + 1];
    }
    if (i !== stages - 1) {
      conv3(`${p}.${c.numResBlocks}.resample.1`, d, d, [3, 3]);
      if (c.temporalDownsample[i]) conv3(`${p}.${c.numResBlocks}.time_conv`, d, d, [3, 1, 1]);
    }
  }
  const top = enc[stages];
  middle('encoder', top);
  s.set('encoder.head.0.gamma', [top, 1, 1, 1]);
  conv3('encoder.head.2', 2 * c.zDim, top, [3, 3, 3]);
  conv3('conv1', 2 * c.zDim, 2 * c.zDim, [1, 1, 1]);
  conv3('conv2', c.zDim, c.zDim, [1, 1, 1]);
  const dec = [c.dimMult[stages - 1], ...[...c.dimMult].reverse()].map((m) => m * c.decDim);
  const temporalUp = [...c.temporalDownsample].reverse();
  conv3('decoder.conv1', dec[0], c.zDim, [3, 3, 3]);
  middle('decoder', dec[0]);
  for (let i = 0; i < stages; i++) {
    const p = `decoder.upsamples.${i}.upsamples`;
    let d = dec[i];
    for (let j = 0; j < c.numResBlocks + 1; j++) {
      residual(`${p}.${j}`, d, dec[i + 1]);
      d = dec[i + 1];
    }
    if (i !== stages - 1) {
      conv3(`${p}.${c.numResBlocks + 1}.resample.1`, d, d, [3, 3]);
      if (temporalUp[i]) conv3(`${p}.${c.numResBlocks + 1}.time_conv`, 2 * d, d, [3, 1, 1]);
    }
  }
  s.set('decoder.head.0.gamma', [dec[stages], 1, 1, 1]);
  conv3('decoder.head.2', 12, dec[stages], [3, 3, 3]);
  return s;
}

export function parameterCount(shapes: ParameterShapes): number {
  let n = 0;
  for (const shape of shapes.values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}
