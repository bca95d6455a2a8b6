import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseModelManifest, type ModelManifest } from '../manifest/model-manifest.ts';

export interface ModelDirectory {
  dir: string;
  manifest: ModelManifest;
  /** sha256 of model.json: names the exact weights every output came from. */
  hash: string;
  path(relative: string): string;
}

/** The model directory is missing, incomplete or corrupt: the message names the bad file. */
export class ModelDirectoryError extends Error {}

/**
 * Opens a directory written by `build-model` and verifies it before anything is loaded: the
 * manifest parses, and every file it lists exists with its recorded size and sha256. A worker
 * that started on a half-copied model would fail jobs one by one instead of refusing to start.
 */
export async function openModelDirectory(dir: string): Promise<ModelDirectory> {
  const root = resolve(dir);
  const manifestPath = join(root, 'model.json');
  const manifestBytes = await readFile(manifestPath).catch(() => {
    throw new ModelDirectoryError(
      `${manifestPath} does not exist: MODEL_DIR must be a directory written by build-model ` +
        `(e.g. \`npm run -w models/wan22 build-model -- --tiny --out ${dir}\`)`,
    );
  });
  let manifest: ModelManifest;
  try {
    manifest = parseModelManifest(JSON.parse(manifestBytes.toString('utf8')), manifestPath);
  } catch (error) {
    throw new ModelDirectoryError((error as Error).message);
  }
  const files = [
    ...Object.values(manifest.components).flatMap((component) => component.files),
    ...manifest.tokenizer.files.map((file) => ({ ...file, path: join(manifest.tokenizer.dir, file.path) })),
  ];
  for (const file of files) {
    const path = join(root, file.path);
    const size = await stat(path).then(
      (info) => info.size,
      () => null,
    );
    if (size === null) throw new ModelDirectoryError(`${path} is missing from the model directory`);
    if (size !== file.bytes) {
      throw new ModelDirectoryError(
        `${path} has ${size} bytes, model.json says ${file.bytes}: the copy is incomplete`,
      );
    }
    const digest = await sha256File(path);
    if (digest !== file.sha256) {
      throw new ModelDirectoryError(
        `${path} is corrupt: its sha256 is ${digest}, model.json says ${file.sha256}`,
      );
    }
  }
  return {
    dir: root,
    manifest,
    hash: createHash('sha256').update(manifestBytes).digest('hex'),
    path: (relative) => join(root, relative),
  };
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}
