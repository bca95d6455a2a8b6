// compare-models --reference <fp32 model dir> --candidate <fp16 model dir>
//                [--reference-provider cpu|cuda] [--candidate-provider cpu|cuda] [--latent F,H,W] [--tolerance 0.02]
// Runs both builds on the same probe inputs and prints name, max abs error, tolerance, PASS/FAIL
// per component and `N passed, N failed`; exit 0 only if all pass.
import { parseArgs } from 'node:util';
import { compareModels } from '../build/compare-models.ts';

const usage = `usage: compare-models --reference <model dir> --candidate <model dir>
       [--reference-provider cpu|cuda] [--candidate-provider cpu|cuda] [--latent 2,16,16] [--tolerance 0.02]`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      reference: { type: 'string' },
      candidate: { type: 'string' },
      'reference-provider': { type: 'string', default: 'cpu' },
      'candidate-provider': { type: 'string', default: 'cuda' },
      latent: { type: 'string', default: '2,16,16' },
      tolerance: { type: 'string', default: '0.02' },
      help: { type: 'boolean' },
    },
  });
  const providers = [values['reference-provider'], values['candidate-provider']];
  const latent = values.latent.split(',').map(Number);
  const tolerance = Number(values.tolerance);
  if (
    values.help ||
    !values.reference ||
    !values.candidate ||
    providers.some((p) => p !== 'cpu' && p !== 'cuda') ||
    latent.length !== 3 ||
    !latent.every((n) => Number.isInteger(n) && n > 0) ||
    !(tolerance > 0)
  ) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const lines = await compareModels({
    reference: values.reference,
    candidate: values.candidate,
    referenceProvider: providers[0] as 'cpu' | 'cuda',
    candidateProvider: providers[1] as 'cpu' | 'cuda',
    latent: latent as [number, number, number],
    relativeTolerance: tolerance,
    onLine: (l) =>
      console.log(
        `${l.name.padEnd(24)} max_abs=${l.maxAbsError.toExponential(2).padEnd(9)} tol=${l.tolerance.toExponential(1).padEnd(8)} ${l.passed ? 'PASS' : 'FAIL'}`,
      ),
  });
  const passed = lines.filter((l) => l.passed).length;
  console.log(`${passed} passed, ${lines.length - passed} failed`);
  return passed === lines.length ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`compare-models: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
