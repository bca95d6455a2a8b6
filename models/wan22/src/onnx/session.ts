import ort from 'onnxruntime-node';
import type { OnnxDType } from './onnx-types.ts';
import type { TensorArray } from './graph-builder.ts';

export type OrtSession = ort.InferenceSession;

export interface SessionOptions {
  /** 'cpu' everywhere; 'cuda' on GPU nodes (onnxruntime-node's CUDA EP). */
  readonly executionProviders?: readonly ('cpu' | 'cuda')[];
  readonly intraOpNumThreads?: number;
}

/** Opens a model from a file path (external data resolved next to it) or from bytes. */
export async function createSession(
  model: string | Uint8Array,
  options: SessionOptions = {},
): Promise<OrtSession> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [...(options.executionProviders ?? ['cpu'])],
    graphOptimizationLevel: 'all',
    // Warnings (e.g. unused initializers removed) would interleave with CLI output; errors still show.
    logSeverityLevel: 3,
    ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
  };
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, sessionOptions)
    : ort.InferenceSession.create(model, sessionOptions);
}

export function tensor(dtype: OnnxDType, dims: readonly number[], data: TensorArray): ort.Tensor {
  return new ort.Tensor(dtype as ort.Tensor.Type, data as ort.Tensor.DataType, dims);
}

export function f32(dims: readonly number[], data: Float32Array): ort.Tensor {
  return tensor('float32', dims, data);
}

export function i64(dims: readonly number[], data: BigInt64Array): ort.Tensor {
  return tensor('int64', dims, data);
}

export interface RunOutput {
  readonly dims: readonly number[];
  readonly dtype: string;
  readonly data: TensorArray;
}

/** Runs the session and copies outputs out of ORT-owned memory. */
export async function runSession(
  session: OrtSession,
  feeds: Readonly<Record<string, ort.Tensor>>,
): Promise<Record<string, RunOutput>> {
  const results = await session.run(feeds);
  const out: Record<string, RunOutput> = {};
  for (const [name, t] of Object.entries(results)) {
    out[name] = { dims: [...t.dims], dtype: t.type, data: t.data as TensorArray };
  }
  return out;
}

export { ort };
