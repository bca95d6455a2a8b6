import type { WanVaeConfig } from './vae-config.ts';

/**
 * Every parameter of WanVAE_ for a config, by official name, with its shape: the checkpoint
 * layout the graph builders read. Used to check a checkpoint before building and to generate the
 * deterministic tiny model with the same structure.
 */
export function vaeParameterShapes(config: WanVaeConfig): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const conv = (name: string, o: number, i: number, k: readonly number[]) => {
    out.set(`${name}.weight`, [o, i, ...k]);
    out.set(`${name}.bias`, [o]);
  };
  const residual = (name: string, i: number, o: number) => {
    out.set(`${name}.residual.0.gamma`, [i, 1, 1, 1]);
    conv(`${name}.residual.2`, o, i, [3, 3, 3]);
    out.set(`${name}.residual.3.gamma`, [o, 1, 1, 1]);
    conv(`${name}.residual.6`, o, o, [3, 3, 3]);
    if (i !== o) conv(`${name}.shortcut`, o, i, [1, 1, 1]);
  };
  const middle = (name: string, c: number) => {
    residual(`${name}.middle.0`, c, c);
    out.set(`${name}.middle.1.norm.gamma`, [c, 1, 1]);
    conv(`${name}.middle.1.to_qkv`, 3 * c, c, [1, 1]);
    conv(`${name}.middle.1.proj`, c, c, [1, 1]);
    residual(`${name}.middle.2`, c, c);
  };
  const stages = config.dimMult.length;
  const z = config.zDim;

  const enc = [1, ...config.dimMult].map((m) => m * config.dim);
  conv('encoder.conv1', enc[0], 12, [3, 3, 3]);
  for (let s = 0; s < stages; s++) {
    const prefix = `encoder.downsamples.${s}.downsamples`;
    for (let r = 0; r < config.numResBlocks; r++)
      residual(`${prefix}.${r}`, r === 0 ? enc[s] : enc[s + 1], enc[s + 1]);
    if (s !== stages - 1) {
      conv(`${prefix}.${config.numResBlocks}.resample.1`, enc[s + 1], enc[s + 1], [3, 3]);
      if (config.temporalDownsample[s]) {
        conv(`${prefix}.${config.numResBlocks}.time_conv`, enc[s + 1], enc[s + 1], [3, 1, 1]);
      }
    }
  }
  middle('encoder', enc[stages]);
  out.set('encoder.head.0.gamma', [enc[stages], 1, 1, 1]);
  conv('encoder.head.2', 2 * z, enc[stages], [3, 3, 3]);
  conv('conv1', 2 * z, 2 * z, [1, 1, 1]);
  conv('conv2', z, z, [1, 1, 1]);

  const mult = config.dimMult;
  const dec = [mult[mult.length - 1], ...[...mult].reverse()].map((m) => m * config.decDim);
  const temporalUp = [...config.temporalDownsample].reverse();
  conv('decoder.conv1', dec[0], z, [3, 3, 3]);
  middle('decoder', dec[0]);
  for (let s = 0; s < stages; s++) {
    const prefix = `decoder.upsamples.${s}.upsamples`;
    for (let r = 0; r < config.numResBlocks + 1; r++)
      residual(`${prefix}.${r}`, r === 0 ? dec[s] : dec[s + 1], dec[s + 1]);
    if (s !== stages - 1) {
      conv(`${prefix}.${config.numResBlocks + 1}.resample.1`, dec[s + 1], dec[s + 1], [3, 3]);
      if (temporalUp[s])
        conv(`${prefix}.${config.numResBlocks + 1}.time_conv`, 2 * dec[s + 1], dec[s + 1], [3, 1, 1]);
    }
  }
  out.set('decoder.head.0.gamma', [dec[stages], 1, 1, 1]);
  conv('decoder.head.2', 12, dec[stages], [3, 3, 3]);
  return out;
}

/** Total parameter count of the shapes. */
export function parameterCount(shapes: ReadonlyMap<string, readonly number[]>): number {
  let total = 0;
  for (const shape of shapes.values()) total += shape.reduce((a, b) => a * b, 1);
  return total;
}
