/**
 * The context rule of the official pipeline (T5EncoderModel.__call__ then WanModel.forward): keep
 * the first `realTokens` rows of the encoder output (incl. </s>); the DiT pads back to text_len
 * with exact zero rows (done inside the DiT graph; see dit-graph.ts).
 */
export function trimContext(out: Float32Array, dim: number, mask: ArrayLike<bigint | number>): Float32Array {
  let real = 0;
  for (let i = 0; i < mask.length; i++) if (Number(mask[i]) !== 0) real++;
  for (let i = 0; i < real; i++) {
    if (Number(mask[i]) === 0) throw new Error('the attention mask must mark a prefix of real tokens');
  }
  return out.slice(0, real * dim);
}

/** Zero-pads a trimmed context [n, dim] to [textLen, dim]: padding rows are exact zeros. */
export function padContext(context: Float32Array, dim: number, textLen: number): Float32Array {
  const rows = context.length / dim;
  if (rows > textLen) throw new Error(`context has ${rows} rows, more than text_len ${textLen}`);
  const out = new Float32Array(textLen * dim);
  out.set(context);
  return out;
}
