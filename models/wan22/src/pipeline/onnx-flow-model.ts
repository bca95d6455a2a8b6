import { f32, runSession, type OrtSession } from '../onnx/session.ts';
import type { FlowModel, FlowModelInput } from './flow-model.ts';

/**
 * The DiT graph (dit/dit-graph.ts: x [C, F, H, W], t [L], context [Lc, text_dim] -> out) as the
 * loop's FlowModel. One call per branch: batch 1, as the official CFG does it.
 */
export class OnnxFlowModel implements FlowModel {
  private readonly session: OrtSession;

  constructor(session: OrtSession) {
    this.session = session;
  }

  async predict(input: FlowModelInput): Promise<Float32Array> {
    const out = await runSession(this.session, {
      x: f32(input.latentDims, input.latent),
      t: f32([input.tokenTimesteps.length], input.tokenTimesteps),
      context: f32([input.context.tokens, input.context.dim], input.context.data),
    });
    const pred = out['out'];
    if (!pred) throw new Error('the DiT graph has no "out" output');
    return pred.data as Float32Array;
  }
}
