import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildModel, type Precision, type Target } from '../build/build-model.ts';
import { parseModelManifest } from '../manifest/model-manifest.ts';
import type { HubClient } from './hub-client.ts';
import type { PullProgress } from './pull-progress.ts';
import { pullModel } from './pull.ts';

export interface InstallModelOptions {
  repo: string;
  revision: string;
  /** Where the official files are pulled to (kept: another precision rebuilds without a download). */
  weightsDir: string;
  /** The model directory the workers mount. */
  out: string;
  precision: Precision;
  target: Target;
  client: HubClient;
  include?: readonly string[];
  progress?: PullProgress;
  log(line: string): void;
}

const COMMIT = /^[0-9a-f]{40}$/;

/** How model.json names a model built from the hub: the repository and the exact commit. */
export function hubSource(repo: string, commit: string): string {
  return `hf:${repo}@${commit}`;
}

/**
 * The chart's model build Job: pull the official files of a pinned revision, then build the ONNX
 * model onto the model volume. A model already built from that commit, precision and target is
 * left alone, without a download or a build (with a commit as revision, without a word to the hub).
 */
export async function installModel(options: InstallModelOptions): Promise<'present' | 'built'> {
  const manifestPath = join(options.out, 'model.json');
  const existing = await readFile(manifestPath, 'utf8').then(
    (text) => {
      try {
        return parseModelManifest(JSON.parse(text), manifestPath);
      } catch {
        return null;
      }
    },
    () => null,
  );
  const commit = COMMIT.test(options.revision)
    ? options.revision
    : existing
      ? (await options.client.revision(options.repo, options.revision)).commit
      : null;
  if (
    existing &&
    commit &&
    existing.source === hubSource(options.repo, commit) &&
    existing.precision === options.precision &&
    existing.target === options.target
  ) {
    options.log(
      `${options.out} already holds ${options.repo}@${commit} (${options.precision}, ${options.target}): nothing to do`,
    );
    return 'present';
  }

  const pulled = await pullModel({
    repo: options.repo,
    revision: options.revision,
    out: options.weightsDir,
    client: options.client,
    include: options.include,
    progress: options.progress,
  });
  // A build that dies halfway must not leave an older model.json describing half-overwritten files.
  await rm(manifestPath, { force: true });
  options.log(
    `Building ${options.repo}@${pulled.commit} (${options.precision}, ${options.target}) into ${options.out}`,
  );
  await buildModel({
    out: options.out,
    precision: options.precision,
    target: options.target,
    source: { kind: 'official', dir: options.weightsDir, label: hubSource(options.repo, pulled.commit) },
    log: (message) => options.log(`building ${message}`),
  });
  return 'built';
}
