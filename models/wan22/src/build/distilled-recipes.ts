import type { DitConfig } from '../dit/dit-config.ts';

/**
 * Few-step distilled releases build-model knows: the model id they get and the sampling recipe
 * model.json records for the renderer (it replaces the official 50-step UniPC defaults).
 */
export interface DistilledRecipe {
  /** The model id (the contracts' catalog names the real one; other sizes are named by size). */
  name(dit: DitConfig): string;
  readonly defaults: {
    readonly steps: number;
    readonly shift: number;
    readonly guidanceScale: number;
    readonly sampleSolver: 'dmd';
    readonly denoisingTimesteps: readonly number[];
  };
}

export const DISTILLED_RECIPES = {
  /**
   * FastVideo's FastWan2.2-TI2V-5B (diffusers layout, `FastVideo/FastWan2.2-TI2V-5B-FullAttn-Diffusers`
   * transformer/): DMD with timesteps [1000, 757, 522] at flow shift 5, CFG-free (FastVideo's
   * FastWan2_2_TI2V_5B_Config; see dmd-scheduler.spec.ts for the derivation). The sparse-attention
   * (VSA) variants carry extra gate tensors and are refused by the loader.
   */
  'fastwan2.2-ti2v-5b': {
    name: (dit: DitConfig) =>
      dit.dim === 3072 && dit.numLayers === 30
        ? 'fastwan2.2-ti2v-5b'
        : `fastwan2.2-ti2v-d${dit.dim}-l${dit.numLayers}`,
    defaults: {
      steps: 3,
      shift: 5,
      guidanceScale: 1,
      sampleSolver: 'dmd',
      denoisingTimesteps: [1000, 757, 522],
    },
  },
} as const satisfies Record<string, DistilledRecipe>;

export type DistilledRecipeName = keyof typeof DISTILLED_RECIPES;

export function isDistilledRecipe(name: string): name is DistilledRecipeName {
  return Object.hasOwn(DISTILLED_RECIPES, name);
}
