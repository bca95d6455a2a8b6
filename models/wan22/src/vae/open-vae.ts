import { createSession, type SessionOptions } from '../onnx/session.ts';
import type { LoadedVae } from './load-vae.ts';
import { StreamingSession } from './streaming-session.ts';
import { WanVaeDecoder, WanVaeEncoder } from './vae-codec.ts';

export interface VaeModelFiles {
  /** The streaming encoder graph (vae_encoder.onnx of a model directory). */
  readonly encoder: string;
  /** The streaming decoder graph (vae_decoder.onnx). */
  readonly decoder: string;
}

/** Opens the streaming VAE graphs build-model wrote (the worker's start-up path). */
export async function openVaeModels(
  files: VaeModelFiles,
  zDim: number,
  options: SessionOptions = {},
): Promise<LoadedVae> {
  const encoderStream = new StreamingSession(await createSession(files.encoder, options));
  const decoderStream = new StreamingSession(await createSession(files.decoder, options));
  return {
    encoder: new WanVaeEncoder(encoderStream, zDim),
    decoder: new WanVaeDecoder(decoderStream),
    encoderStream,
    decoderStream,
  };
}
