// The root README as a script: its shell blocks, by section.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const readme = (): string => readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The text under `## heading`, up to the next `## ` heading. */
export function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "## ${heading}"`);
  const end = markdown.indexOf('\n## ', start + heading.length + 4);
  return end < 0 ? markdown.slice(start) : markdown.slice(start, end);
}

/** The ```bash blocks of a piece of markdown, in order. */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```(?:bash|sh|shell)\n([\s\S]*?)^```$/gm)].map(
    (match) => match[1] as string,
  );
}
