// @cineweave/wan22: what a process that renders with a built model needs. The compiler (graph
// builders, checkpoint readers, reference runners) stays behind the CLIs in src/cli.
export { Wan22Renderer } from './runtime/wan22-renderer.ts';
export { ModelDirectoryError, openModelDirectory, type ModelDirectory } from './runtime/model-directory.ts';
export { precisionFor, sessionOptionsFor, type Device } from './runtime/session-options.ts';
export {
  InvalidRenderInput,
  type DecodedVideo,
  type SamplingSummary,
  type StageTimer,
  type Wan22RenderHooks,
  type Wan22RenderRequest,
  type Wan22Stage,
} from './runtime/render-types.ts';
export { RENDER_PRESETS, isDistilledModel, type RenderPreset } from './runtime/presets.ts';
