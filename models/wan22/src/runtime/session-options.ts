import type { InferenceSession } from 'onnxruntime-node';

export type Device = 'cuda' | 'cpu';

/**
 * Session options per device. CUDA: the CUDA execution provider on the worker's GPU, with the
 * CPU provider after it for the few ops CUDA lacks (shape arithmetic); fp16 graphs. CPU: the CPU
 * provider alone; fp32 graphs. Full graph optimisation either way (fusions matter for attention).
 */
export function sessionOptionsFor(device: Device, cudaDeviceId = 0): InferenceSession.SessionOptions {
  if (device === 'cuda') {
    return {
      executionProviders: [{ name: 'cuda', deviceId: cudaDeviceId }, 'cpu'],
      graphOptimizationLevel: 'all',
      // Memory patterns pre-plan buffers per input shape; every resolution has its own shapes.
      enableMemPattern: false,
    };
  }
  return { executionProviders: ['cpu'], graphOptimizationLevel: 'all', enableMemPattern: true };
}

/** The graph precision a device runs: fp16 on CUDA (tensor cores), fp32 on CPU. */
export function precisionFor(device: Device): 'fp16' | 'fp32' {
  return device === 'cuda' ? 'fp16' : 'fp32';
}
