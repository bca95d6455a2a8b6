import { encodeModel } from '../onnx/model-writer.ts';
import { createSession, type SessionOptions } from '../onnx/session.ts';
import type { WanVaeConfig } from './vae-config.ts';
import { WanVaeDecoder, WanVaeEncoder } from './vae-codec.ts';
import { buildVaeDecoderGraph, type VaeGraphOptions } from './vae-decoder-graph.ts';
import { buildVaeEncoderGraph } from './vae-encoder-graph.ts';
import type { LatentStats } from './vae-latent-stats.ts';
import { StreamingSession } from './streaming-session.ts';
import type { WeightStore } from '../onnx/weights.ts';

export interface LoadedVae {
  readonly encoder: WanVaeEncoder;
  readonly decoder: WanVaeDecoder;
  /** The raw streaming sessions, for callers that drive the chunks themselves. */
  readonly encoderStream: StreamingSession;
  readonly decoderStream: StreamingSession;
}

/**
 * Builds the VAE graphs in memory and opens them (small models: tests, reference checks, the tiny
 * model). Big models are written with saveModel and opened from their files.
 */
export async function loadVaeInMemory(
  config: WanVaeConfig,
  weights: WeightStore,
  stats: LatentStats,
  options: VaeGraphOptions & SessionOptions & { readonly unnormalisedOutput?: boolean } = {},
): Promise<LoadedVae> {
  const encoderGraph = await buildVaeEncoderGraph(config, weights, stats, options);
  const decoderGraph = await buildVaeDecoderGraph(config, weights, stats, options);
  const encoderSession = await createSession(await encodeModel(encoderGraph.graph), options);
  const decoderSession = await createSession(await encodeModel(decoderGraph.graph), options);
  const encoderStream = new StreamingSession(encoderSession);
  const decoderStream = new StreamingSession(decoderSession);
  return {
    encoder: new WanVaeEncoder(encoderStream, config.zDim),
    decoder: new WanVaeDecoder(decoderStream),
    encoderStream,
    decoderStream,
  };
}
