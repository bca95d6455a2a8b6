import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliCommandGroup } from './core/command.ts';
import { ExitCode } from './core/exit-codes.ts';
import { run } from './program.ts';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command line in-process; nothing here reaches an API (a closed port would be exit 6). */
async function cli(args: string[], commands?: Parameters<typeof run>[2]): Promise<Ran> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: '', err: '' };
  stdout.on('data', (chunk: Buffer) => (chunks.out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (chunks.err += chunk.toString()));
  const code = await run(
    ['node', 'cineweave', ...args],
    {
      env: { XDG_CONFIG_HOME: '/nonexistent/cineweave-test', CINEWEAVE_API_URL: 'http://127.0.0.1:9' },
      stdin: new PassThrough() as unknown as NodeJS.ReadStream,
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
      interrupt: new AbortController().signal,
    },
    commands,
  );
  return { code, stdout: chunks.out, stderr: chunks.err };
}

describe(run.name, () => {
  it('should show help and exit 0', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toContain('Exit codes:');
    expect(stdout).toMatch(/create \[options\] <prompt>/);
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['create'], /missing required argument 'prompt'/],
    [['create', 'a fox', '--steps', 'many'], /Give a whole number/],
    [['create', 'a fox', '--resolution', '1920x1080'], /Allowed choices are 1280x704/],
    [['status', 'not-a-uuid'], /A job id is a UUID/],
    [['ls', '--limit', '500'], /from 1 to 100/],
  ])('should refuse %j with exit code 2 before calling the API', async (args, message) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toMatch(message);
  });

  it('should check job parameters with the API schema before calling the API', async () => {
    const { code, stderr } = await cli(['create', 'a fox', '--steps', '500', '--duration', '0']);
    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain('--steps: steps must be at most 100');
    expect(stderr).toContain('--duration: durationSeconds must be at least 1');
  });

  it('should say how to log in when no key is known, as JSON under --json', async () => {
    const { code, stdout, stderr } = await cli(['credits', '--json']);
    expect(code).toBe(ExitCode.Auth);
    expect(stdout).toBe('');
    const { error } = JSON.parse(stderr) as { error: { title: string; hint: string; exitCode: number } };
    expect(error).toMatchObject({ title: 'Not logged in', exitCode: ExitCode.Auth });
    expect(error.hint).toContain('cineweave login');
  });

  it('should run the subcommands of a command group', async () => {
    const seen: string[] = [];
    const group: CliCommandGroup = {
      name: 'things',
      description: 'Things.',
      subcommands: [
        {
          name: 'add',
          define: (command) => command.argument('<url>').option('--event <name>'),
          async run(_context, args, options: { event?: string }) {
            seen.push(`${args[0]} ${options.event}`);
            return ExitCode.Ok;
          },
        },
      ],
    };
    const { code } = await cli(
      ['things', 'add', 'https://hook.example', '--event', 'job.succeeded'],
      [group],
    );
    expect(code).toBe(ExitCode.Ok);
    expect(seen).toEqual(['https://hook.example job.succeeded']);
  });
});
