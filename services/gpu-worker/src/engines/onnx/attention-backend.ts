/**
 * Which fused attention kernel onnxruntime's CUDA execution provider runs for the DiT's
 * MultiHeadAttention (27,280 tokens at 720p, most of a step's time). onnxruntime chooses by
 * itself (`auto`, the default: depending on its version and the GPU, its FlashAttention-2 port or,
 * on SM >= 90, cuDNN's SDPA), and reads its own environment variable to force one: `flash` turns
 * cuDNN attention off (ORT_ENABLE_CUDNN_FLASH_ATTENTION=0), `cudnn` turns it on (=1). Which is
 * faster for Wan's shapes is unmeasured: no GPU was available where this was written.
 */
export const ATTENTION_BACKENDS = ['auto', 'flash', 'cudnn'] as const;
export type AttentionBackend = (typeof ATTENTION_BACKENDS)[number];

/** The onnxruntime environment variables that select the backend (none for auto). */
export function onnxruntimeAttentionEnv(backend: AttentionBackend): Record<string, string> {
  switch (backend) {
    case 'auto':
      return {};
    case 'flash':
      return { ORT_ENABLE_CUDNN_FLASH_ATTENTION: '0' };
    case 'cudnn':
      return { ORT_ENABLE_CUDNN_FLASH_ATTENTION: '1' };
  }
}
