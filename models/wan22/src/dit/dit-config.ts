/** WanModel hyper-parameters (official names in comments); one graph builder serves every size. */
export interface DitConfig {
  readonly patchSize: readonly [number, number, number]; // patch_size
  readonly textLen: number; // text_len
  readonly inDim: number; // in_dim
  readonly dim: number; // dim
  readonly ffnDim: number; // ffn_dim
  readonly freqDim: number; // freq_dim
  readonly textDim: number; // text_dim
  readonly outDim: number; // out_dim
  readonly numHeads: number; // num_heads
  readonly numLayers: number; // num_layers
  readonly qkNorm: boolean; // qk_norm
  readonly crossAttnNorm: boolean; // cross_attn_norm
  readonly eps: number; // eps
}

/** Wan2.2-TI2V-5B (config.json of the official checkpoint). */
export const WAN22_TI2V_5B: DitConfig = {
  patchSize: [1, 2, 2],
  textLen: 512,
  inDim: 48,
  dim: 3072,
  ffnDim: 14336,
  freqDim: 256,
  textDim: 4096,
  outDim: 48,
  numHeads: 24,
  numLayers: 30,
  qkNorm: true,
  crossAttnNorm: true,
  eps: 1e-6,
};

/** Reads an official config.json / reference `config` object (snake_case keys). */
export function ditConfigFromOfficial(config: Record<string, unknown>): DitConfig {
  const num = (key: string): number => {
    const v = config[key];
    if (typeof v !== 'number') throw new Error(`DiT config has no numeric "${key}"`);
    return v;
  };
  const patch = config['patch_size'];
  if (!Array.isArray(patch) || patch.length !== 3)
    throw new Error('DiT config has no 3-element "patch_size"');
  const modelType = config['model_type'];
  if (modelType !== undefined && modelType !== 'ti2v' && modelType !== 't2v') {
    throw new Error(`DiT model_type "${String(modelType)}" is not supported (ti2v or t2v)`);
  }
  const window = config['window_size'];
  if (Array.isArray(window) && window.some((w) => w !== -1))
    throw new Error('windowed attention is not supported');
  return {
    patchSize: patch as [number, number, number],
    textLen: num('text_len'),
    inDim: num('in_dim'),
    dim: num('dim'),
    ffnDim: num('ffn_dim'),
    freqDim: num('freq_dim'),
    textDim: num('text_dim'),
    outDim: num('out_dim'),
    numHeads: num('num_heads'),
    numLayers: num('num_layers'),
    qkNorm: config['qk_norm'] !== false,
    crossAttnNorm: config['cross_attn_norm'] !== false,
    eps: typeof config['eps'] === 'number' ? config['eps'] : 1e-6,
  };
}

export function headDim(config: DitConfig): number {
  return config.dim / config.numHeads;
}
