import { styleText } from 'node:util';
import type { CliError } from './cli-error.ts';

type Style = Parameters<typeof styleText>[0];

/**
 * Where a command's words go. The result goes to stdout, as JSON under `--json` (the API's own
 * objects) or as text for a person; notes, progress and errors go to stderr, so a script can read
 * stdout alone. Colours only on a terminal and never with NO_COLOR (node's styleText checks both).
 */
export class Output {
  /** A live progress bar may be drawn: both streams are terminals, no --json, no NO_COLOR, no dumb TERM. */
  readonly interactive: boolean;
  readonly json: boolean;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;

  constructor(
    json: boolean,
    stdout: NodeJS.WriteStream = process.stdout,
    stderr: NodeJS.WriteStream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.json = json;
    this.stdout = stdout;
    this.stderr = stderr;
    this.interactive = !json && Boolean(stdout.isTTY && stderr.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
  }

  /** The command's result: `body` under --json, else the text `human()` writes. */
  result(body: unknown, human: () => string): void {
    if (this.json) this.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    else this.stdout.write(ensureNewline(human()));
  }

  /** One JSON value per line on stdout (`watch --json`). */
  line(body: unknown): void {
    this.stdout.write(`${JSON.stringify(body)}\n`);
  }

  /** A remark for the person at the terminal; scripts under --json get none. */
  note(text: string): void {
    if (!this.json) this.stderr.write(ensureNewline(text));
  }

  error(error: CliError): void {
    if (this.json) {
      this.stderr.write(`${JSON.stringify(error)}\n`);
      return;
    }
    const lines = [
      `${this.paint(['bold', 'red'], 'Error:', this.stderr)} ${error.title}`,
      `  ${error.detail}`,
    ];
    for (const field of error.extra.fieldErrors ?? []) lines.push(`  - ${field.field}: ${field.message}`);
    if (error.extra.hint) lines.push(this.paint('dim', `  What to do: ${error.extra.hint}`, this.stderr));
    this.stderr.write(`${lines.join('\n')}\n`);
  }

  /** `text` in `style` when written to a terminal that takes colours, plain otherwise. */
  paint(style: Style, text: string, stream: NodeJS.WriteStream = this.stdout): string {
    return this.json ? text : styleText(style, text, { stream });
  }
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
