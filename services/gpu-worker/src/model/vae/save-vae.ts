import { join } from 'node:path';
import { saveModel, type SavedModel } from '../onnx/model-writer.ts';
import { createSession, type SessionOptions } from '../onnx/session.ts';
import type { WeightStore } from '../onnx/weights.ts';
import type { LoadedVae } from './load-vae.ts';
import { StreamingSession } from './streaming-session.ts';
import { WanVaeDecoder, WanVaeEncoder } from './vae-codec.ts';
import type { WanVaeConfig } from './vae-config.ts';
import { buildVaeDecoderGraph, type VaeGraphOptions } from './vae-decoder-graph.ts';
import { buildVaeEncoderGraph } from './vae-encoder-graph.ts';
import type { LatentStats } from './vae-latent-stats.ts';

export const VAE_ENCODER_FILE = 'vae_encoder.onnx';
export const VAE_DECODER_FILE = 'vae_decoder.onnx';

export interface SavedVae {
  readonly encoder: SavedModel;
  readonly decoder: SavedModel;
  /** Number of cache tensors each graph carries between calls. */
  readonly encoderCaches: number;
  readonly decoderCaches: number;
}

/**
 * Writes the streaming encoder and decoder graphs to `dir` (weights streamed from the checkpoint;
 * beyond 2 GB they go to external data next to the .onnx). For build-model.
 */
export async function saveVaeModels(
  dir: string,
  config: WanVaeConfig,
  weights: WeightStore,
  stats: LatentStats,
  /** framesPerCall: decoder latent frames per call; 4 to 8 keeps the 720p cache traffic down. */
  options: Pick<VaeGraphOptions, 'precision' | 'framesPerCall'> = {},
): Promise<SavedVae> {
  const metadata = {
    docString: 'Wan 2.2 VAE, streaming (one chunk / latent frame per call, cache_in.N -> cache_out.N)',
  };
  const encoder = await buildVaeEncoderGraph(config, weights, stats, { precision: options.precision });
  const savedEncoder = await saveModel(encoder.graph, join(dir, VAE_ENCODER_FILE), metadata);
  const decoder = await buildVaeDecoderGraph(config, weights, stats, options);
  const savedDecoder = await saveModel(decoder.graph, join(dir, VAE_DECODER_FILE), metadata);
  return {
    encoder: savedEncoder,
    decoder: savedDecoder,
    encoderCaches: encoder.caches.length,
    decoderCaches: decoder.caches.length,
  };
}

/** Opens the VAE graphs saveVaeModels wrote (the worker's start-up path). */
export async function openVaeModels(
  dir: string,
  zDim: number,
  options: SessionOptions = {},
): Promise<LoadedVae> {
  const encoderStream = new StreamingSession(await createSession(join(dir, VAE_ENCODER_FILE), options));
  const decoderStream = new StreamingSession(await createSession(join(dir, VAE_DECODER_FILE), options));
  return {
    encoder: new WanVaeEncoder(encoderStream, zDim),
    decoder: new WanVaeDecoder(decoderStream),
    encoderStream,
    decoderStream,
  };
}
