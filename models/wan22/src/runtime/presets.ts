import type { ModelManifest } from '../manifest/model-manifest.ts';
import { DEFAULT_STEP_CACHE, type StepCacheOptions } from '../pipeline/step-cache.ts';

/**
 * What a job trades between speed and fidelity:
 * - `quality`: the model's own sampling as given (Wan2.2-TI2V-5B: 50 UniPC steps with CFG);
 * - `balanced`: the same with step caching at the default threshold (see step-cache.ts);
 * - `fast`: a few-step distilled model (fastwan2.2-ti2v-5b: 3 DMD steps, no CFG). A worker serves
 *   one model, so `fast` is routed to a distilled model's pool; a worker of another model refuses it.
 */
export const RENDER_PRESETS = ['quality', 'balanced', 'fast'] as const;
export type RenderPreset = (typeof RENDER_PRESETS)[number];

export interface PresetPlan {
  readonly stepCache?: StepCacheOptions;
}

/** True when the model is a few-step distilled checkpoint (its sampler and steps are its own). */
export function isDistilledModel(manifest: ModelManifest): boolean {
  return manifest.defaults.sampleSolver === 'dmd' || manifest.defaults.sampleSolver === 'distilled';
}

/** The sampling plan of a preset on this model, or a reason it cannot run here. */
export function planPreset(preset: RenderPreset, manifest: ModelManifest): PresetPlan | { refused: string } {
  switch (preset) {
    case 'quality':
      return {};
    case 'balanced':
      return isDistilledModel(manifest) ? {} : { stepCache: DEFAULT_STEP_CACHE };
    case 'fast':
      return isDistilledModel(manifest)
        ? {}
        : {
            refused:
              `The fast preset runs a few-step distilled model (such as fastwan2.2-ti2v-5b); ` +
              `this worker serves ${manifest.name}`,
          };
  }
}
