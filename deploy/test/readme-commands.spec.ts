// What a README command names must exist: files, example VideoJobs, namespaces. (The quick start and
// local Kubernetes blocks also run, in readme-quickstart.spec.ts; the cluster blocks need a cluster.)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { readme, repoRoot, shellBlocks } from './readme.ts';

const text = readme();
const commands = shellBlocks(text).join('\n');

/** Names of the VideoJobs the examples create. */
function exampleVideoJobs(): string[] {
  const dir = join(repoRoot, 'deploy/examples');
  return readdirSync(dir).flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
      .map((document) => document.toJS() as { kind?: string; metadata?: { name?: string } } | null)
      .filter((object) => object?.kind === 'VideoJob')
      .map((object) => object?.metadata?.name ?? ''),
  );
}

/** Namespaces a block uses (`-n X`, `namespace X`) and those it creates or that exist already. */
function namespaceProblems(block: string): string[] {
  const used = new Set(
    [...block.matchAll(/(?:\s-n|\bnamespace)\s+([a-z0-9][-a-z0-9]*)/g)].map((m) => m[1] as string),
  );
  const created = new Set([
    ...[...block.matchAll(/kubectl create namespace\s+([a-z0-9][-a-z0-9]*)/g)].map((m) => m[1] as string),
    ...[...block.matchAll(/-n\s+([a-z0-9][-a-z0-9]*)\s+--create-namespace/g)].map((m) => m[1] as string),
  ]);
  return [...used]
    .filter((name) => !created.has(name))
    .map((name) => `namespace ${name} is used but never created`);
}

describe('README commands', () => {
  it('should name only files that exist in the repository', () => {
    const paths = [
      ...commands.matchAll(/(?:^|\s)((?:deploy|charts|scripts|operator|services|web|docs)\/[\w./-]+)/g),
    ].map((match) => match[1] as string);
    expect(paths.length).toBeGreaterThan(3);
    expect(paths.filter((path) => !existsSync(join(repoRoot, path)))).toEqual([]);
  });

  it('should wait only for VideoJobs an example creates', () => {
    const waited = [...commands.matchAll(/\bvj\/([a-z0-9][-a-z0-9]*)/g)].map((match) => match[1] as string);
    expect(waited.length).toBeGreaterThan(1);
    expect(waited.filter((name) => !exampleVideoJobs().includes(name))).toEqual([]);
  });

  it('should create every namespace a block uses before using it', () => {
    expect(shellBlocks(text).flatMap(namespaceProblems)).toEqual([]);
  });

  it('should link only files that exist', () => {
    const links = [...text.matchAll(/\]\(((?!https?:|#)[^)\s]+)\)/g)].map((match) => match[1] as string);
    expect(links.filter((link) => !existsSync(join(repoRoot, link.split('#')[0] as string)))).toEqual([]);
  });

  it('should say nothing about how the project is built issue by issue', () => {
    expect(text).not.toMatch(/issue by issue|not delivered yet/i);
  });
});
