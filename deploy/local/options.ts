import { parseArgs } from 'node:util';

export interface UpOptions {
  /** Stream every service's log to the terminal too (library noise left out). */
  verbose: boolean;
  /** Run without the local Kubernetes API and the operator. */
  kubernetes: boolean;
  /** Only Postgres, Redis and S3, for working on a component in its own terminal. */
  infrastructureOnly: boolean;
}

export const USAGE = `Usage: npm run up [-- options]
  --verbose              stream every service's log here too (they always go to .cineweave/logs/)
  --no-kubernetes        leave out the local Kubernetes API and the operator
  --infrastructure-only  start only Postgres, Redis and S3
  --help                 show this`;

/** Reads the flags; an unknown one is an error that lists the known ones. */
export function parseOptions(args: string[]): UpOptions | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      verbose: { type: 'boolean', default: false },
      'no-kubernetes': { type: 'boolean', default: false },
      'infrastructure-only': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  return {
    verbose: values.verbose,
    kubernetes: !values['no-kubernetes'],
    infrastructureOnly: values['infrastructure-only'],
  };
}
