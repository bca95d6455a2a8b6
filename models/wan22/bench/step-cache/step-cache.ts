// step-cache [--dir test/fixtures/wan22] [--steps 50] [--thresholds 0.005,0.01,0.02,0.05,0.1,0.2]
// The step cache's trade-off on the tiny reference pipeline: per threshold, the share of DiT calls
// skipped and the max / mean error of the final latent and of the decoded video against the run
// without a cache (t2v, UniPC, CFG 5). Prints a Markdown table.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_STEP_CACHE } from '../../src/pipeline/step-cache.ts';
import { StepCacheStudy } from '../../src/reference/step-cache-study.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: fileURLToPath(new URL('../../test/fixtures/wan22', import.meta.url)) },
    steps: { type: 'string', default: '50' },
    thresholds: { type: 'string', default: '0.005,0.01,0.02,0.05,0.1,0.2' },
  },
});
const steps = Number(values.steps);
const study = await StepCacheStudy.open(values.dir, steps);
console.log(
  `tiny reference pipeline, t2v, ${steps} UniPC steps, CFG 5: ${await study.fullRunCalls()} DiT calls without a cache`,
);
console.log('| threshold | DiT calls | skipped | latent max / mean error | video max / mean error |');
console.log('| --- | --- | --- | --- | --- |');
for (const threshold of values.thresholds.split(',').map(Number)) {
  const r = await study.row({ ...DEFAULT_STEP_CACHE, threshold });
  const e = (n: number) => n.toExponential(2);
  console.log(
    `| ${threshold} | ${r.ditCalls} | ${(r.skippedFraction * 100).toFixed(0)}% | ${e(r.latentMaxError)} / ${e(r.latentMeanError)} | ${e(r.videoMaxError)} / ${e(r.videoMeanError)} |`,
  );
}
