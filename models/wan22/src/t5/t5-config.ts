/** umT5 encoder hyper-parameters (official wan/modules/t5.py names in comments). */
export interface T5Config {
  readonly vocabSize: number; // vocab_size
  readonly dim: number; // dim
  readonly dimAttn: number; // dim_attn
  readonly dimFfn: number; // dim_ffn
  readonly numHeads: number; // num_heads
  readonly numLayers: number; // encoder_layers
  readonly numBuckets: number; // num_buckets (bidirectional: half per direction)
  /** Longest sequence the graph accepts: the pipeline's text_len. */
  readonly maxLength: number;
  readonly eps: number;
}

/** umt5_xxl(encoder_only=True), as Wan2.2-TI2V-5B's models_t5_umt5-xxl-enc-bf16.pth. */
export const UMT5_XXL: T5Config = {
  vocabSize: 256384,
  dim: 4096,
  dimAttn: 4096,
  dimFfn: 10240,
  numHeads: 64,
  numLayers: 24,
  numBuckets: 32,
  maxLength: 512,
  eps: 1e-6,
};

/** Reads the reference files' `config` object (snake_case, as index.json stores it). */
export function t5ConfigFromReference(config: Record<string, unknown>, maxLength = 512): T5Config {
  const num = (key: string): number => {
    const v = config[key];
    if (typeof v !== 'number') throw new Error(`T5 config has no numeric "${key}"`);
    return v;
  };
  return {
    vocabSize: num('vocab_size'),
    dim: num('dim'),
    dimAttn: num('dim_attn'),
    dimFfn: num('dim_ffn'),
    numHeads: num('num_heads'),
    numLayers: num('encoder_layers'),
    numBuckets: num('num_buckets'),
    maxLength,
    eps: 1e-6,
  };
}
