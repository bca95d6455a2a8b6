import { describe, expect, it } from 'vitest';
import { isNoise } from './noise.ts';

describe(isNoise.name, () => {
  it("should hide onnxruntime's unused-initializer warning when it is printed", () => {
    expect(
      isNoise(
        "2026-12-07 00:00:00.000 [W:onnxruntime:, graph.cc:4285 CleanUnusedInitializersAndNodeArgs] Removing initializer 'x'. It is not used by any node and should be removed from the model.",
      ),
    ).toBe(true);
  });

  it("should hide Nest's route listing when the API starts", () => {
    expect(isNoise('{"level":30,"context":"RouterExplorer","msg":"Mapped {/v1/jobs, POST} route"}')).toBe(
      true,
    );
  });

  it('should keep errors and requests when they are printed', () => {
    expect(isNoise('{"level":50,"msg":"The model could not be loaded"}')).toBe(false);
  });
});
