import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STEP_CACHE } from '../../src/pipeline/step-cache.ts';
import { StepCacheStudy } from '../../src/reference/step-cache-study.ts';

const fixtures = fileURLToPath(new URL('../fixtures/wan22', import.meta.url));

// The figures of the README's table come from bench/step-cache; this keeps their shape honest.
describe('step cache on the tiny reference pipeline', { timeout: 120_000 }, () => {
  let study: StepCacheStudy;

  beforeAll(async () => {
    study = await StepCacheStudy.open(fixtures, 50);
  }, 120_000);

  it('should make every DiT call and match the full run exactly when the threshold is 0', async () => {
    const row = await study.row({ threshold: 0 });
    expect(row.ditCalls).toBe(100);
    expect(row.latentMaxError).toBe(0);
  });

  it('should skip a share of the DiT calls and stay near the full run at the default threshold', async () => {
    const row = await study.row(DEFAULT_STEP_CACHE);
    console.info(`step cache at ${DEFAULT_STEP_CACHE.threshold}: ${JSON.stringify(row)}`);
    expect(row.ditCalls).toBeLessThan(100);
    expect(row.ditCalls).toBeGreaterThanOrEqual(60);
    expect(row.videoMeanError).toBeLessThan(0.03);
    expect(row.videoMaxError).toBeLessThan(0.2);
  });
});
