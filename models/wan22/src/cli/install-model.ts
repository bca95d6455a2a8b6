// install-model --weights <dir> --out <model dir> [--repo ...] [--revision <commit>] [--precision fp16|fp32] [--target cuda|cpu]
// The chart's model build Job: pull the official files (resumable, verified), then build-model from
// them. A model already built from the same commit, precision and target is left alone.
import { parseArgs } from 'node:util';
import type { Precision, Target } from '../build/build-model.ts';
import { hubClientFromEnv, progressFor } from '../hub/hub-cli.ts';
import { installModel } from '../hub/install-model.ts';
import { WAN22_TI2V_5B } from '../hub/pull.ts';

const usage = `usage: install-model --weights <dir for the official files> --out <model dir>
                     [--repo <owner/name>] [--revision <commit>] [--precision fp16|fp32] [--target cuda|cpu]
  defaults: --repo ${WAN22_TI2V_5B.repo} --revision ${WAN22_TI2V_5B.revision} --target cuda,
            --precision fp16 on cuda, fp32 on cpu
  env: HF_ENDPOINT, HF_TOKEN (see pull)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      repo: { type: 'string', default: WAN22_TI2V_5B.repo },
      revision: { type: 'string', default: WAN22_TI2V_5B.revision },
      weights: { type: 'string' },
      out: { type: 'string' },
      precision: { type: 'string' },
      target: { type: 'string', default: 'cuda' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const problems: string[] = [];
  if (!values.weights) problems.push('--weights is required');
  if (!values.out) problems.push('--out is required');
  const target = values.target as Target;
  if (target !== 'cuda' && target !== 'cpu')
    problems.push(`--target must be cuda or cpu, not "${values.target}"`);
  const precision = (values.precision ?? (target === 'cuda' ? 'fp16' : 'fp32')) as Precision;
  if (precision !== 'fp16' && precision !== 'fp32')
    problems.push(`--precision must be fp16 or fp32, not "${values.precision}"`);
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\n${usage}`);
    return 2;
  }
  const outcome = await installModel({
    repo: values.repo,
    revision: values.revision,
    weightsDir: values.weights as string,
    out: values.out as string,
    precision,
    target,
    client: hubClientFromEnv(process.env),
    progress: progressFor(process.stdout, (line) => console.log(line)),
    log: (line) => console.log(line),
  });
  if (outcome === 'built') console.log(`Installed the model into ${values.out}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`install-model: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
