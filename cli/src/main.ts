import { realpathSync } from 'node:fs';
import { interrupted } from './core/cli-error.ts';
import { ExitCode } from './core/exit-codes.ts';
import { run } from './program.ts';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/** The `cineweave` process: argv in, exit code out. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  if (NODE_MAJOR < 24) {
    process.stderr.write(`cineweave needs Node.js 24 or newer; this is ${process.version}.\n`);
    return ExitCode.ApiError;
  }
  const interrupt = new AbortController();
  // The first Ctrl-C ends what is in flight and exits 130 with a word on what happened;
  // a second one ends the process at once.
  const onInterrupt = () => {
    process.off('SIGINT', onInterrupt);
    interrupt.abort(interrupted());
  };
  process.on('SIGINT', onInterrupt);
  // `cineweave ls | head -1`, `cineweave download ID -o - | head -c 16`: the reader has what it
  // wanted and closed the pipe; stop quietly, as cat or ls would.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.Ok);
    throw error;
  });
  try {
    return await run(argv, {
      env: process.env,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      interrupt: interrupt.signal,
    });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

// Run when this file is the entry (`node dist/main.js`); the bin launcher imports it and calls main.
// (`import.meta.main` is Node 24's; the path comparison lets an older Node say it is too old.)
const isEntry =
  import.meta.main ??
  (process.argv[1] !== undefined && realpathSync(process.argv[1]) === import.meta.filename);
if (isEntry) process.exitCode = await main();
