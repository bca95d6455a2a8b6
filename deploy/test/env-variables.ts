// Which environment variables CineWeave's code reads, found by reading the code: the keys of each
// component's validated env schema, `process.env.NAME` anywhere in shipped code, and `${NAME}` in
// the shell entry points. Tests and benchmarks are left out (their variables are theirs to document).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** Where shipped code lives, relative to the repository root. */
const SOURCE_ROOTS = [
  'services/api/src',
  'services/gpu-worker/src',
  'operator/src',
  'web/server',
  'deploy/local',
  'libs/contracts/src',
  'scripts',
];

/** Set by the system or the shell, never by a CineWeave user. */
const NOT_OURS = new Set(['PATH', 'HOME', 'BASH_SOURCE']);

const SOURCE_FILE = /\.(ts|mts|mjs|js|sh)$/;
const TEST_FILE = /\.(spec|test|e2e)\.|\/(test|e2e|testing)\//;

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (SOURCE_FILE.test(name) && !TEST_FILE.test(relative(repoRoot, path))) yield path;
  }
}

/** Variables one file reads, by the three ways our code reads them. */
export function variablesReadBy(text: string, fileName: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g)) {
    found.add((match[1] ?? match[2]) as string);
  }
  // A validated env schema (`const EnvSchema = z.object({ NAME: ... })`): its upper-case keys.
  if (/EnvSchema\s*=\s*z\s*\.object\(/.test(text)) {
    const body = text.slice(text.search(/EnvSchema\s*=\s*z\s*\.object\(/));
    for (const match of body.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)) found.add(match[1] as string);
  }
  if (fileName.endsWith('.sh')) {
    for (const match of text.matchAll(/\$\{([A-Z][A-Z0-9_]*)(?::?-[^}]*)?\}/g)) found.add(match[1] as string);
  }
  return [...found].filter((name) => !NOT_OURS.has(name));
}

/** `{ variable → files that read it }` over the shipped code. */
export function variablesReadByCode(): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  for (const root of SOURCE_ROOTS) {
    for (const file of sourceFiles(join(repoRoot, root))) {
      for (const name of variablesReadBy(readFileSync(file, 'utf8'), file)) {
        readers.set(name, [...(readers.get(name) ?? []), relative(repoRoot, file)]);
      }
    }
  }
  return readers;
}

/** Variables named in the first column of the README's configuration table. */
export function readmeTableVariables(readme: string): Set<string> {
  const section = readme.slice(readme.indexOf('\n## Configuration'));
  const end = section.indexOf('\n## ', 1);
  const names = new Set<string>();
  for (const line of (end > 0 ? section.slice(0, end) : section).split('\n')) {
    const first = line.split('|')[1];
    if (!first) continue;
    for (const match of first.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(match[1] as string);
  }
  return names;
}

/** Variables `.env.example` sets or shows commented out (`# NAME=default`). */
export function envExampleVariables(text: string): Set<string> {
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1] as string));
}
