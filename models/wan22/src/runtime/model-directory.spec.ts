import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelDirectoryError, openModelDirectory } from './model-directory.ts';

const workspace = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cw-model-dir-'));
const built = join(dir, 'built');
let copies = 0;

/** A fresh copy of the built tiny model to break. */
function copy(): string {
  const target = join(dir, `copy-${(copies += 1)}`);
  cpSync(built, target, { recursive: true });
  return target;
}

describe(openModelDirectory.name, () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['src/cli/build-model.ts', '--tiny', '--out', built], {
      cwd: workspace,
      stdio: 'ignore',
    });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should open a complete model and name it by the hash of its manifest', async () => {
    const model = await openModelDirectory(built);
    expect(model.manifest.components.dit.model).toBe('dit.onnx');
    expect(model.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await openModelDirectory(copy())).hash).toBe(model.hash);
  });

  it('should name a directory without model.json and say how to build one', async () => {
    await expect(openModelDirectory(join(dir, 'empty'))).rejects.toThrow(
      /model\.json does not exist: MODEL_DIR must be a directory written by build-model/,
    );
  });

  it('should name a missing file', async () => {
    const model = copy();
    unlinkSync(join(model, 'vae_decoder.onnx'));
    await expect(openModelDirectory(model)).rejects.toThrow(
      new RegExp(`${model}/vae_decoder\\.onnx is missing`),
    );
  });

  it('should name a truncated file as an incomplete copy', async () => {
    const model = copy();
    truncateSync(join(model, 'dit.onnx'), 1000);
    await expect(openModelDirectory(model)).rejects.toThrow(
      /dit\.onnx has 1000 bytes, model\.json says \d+: the copy is incomplete/,
    );
  });

  it('should name a corrupt file by its checksum', async () => {
    const model = copy();
    const path = join(model, 'text_encoder.onnx');
    const bytes = readFileSync(path);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(path, bytes);
    await expect(openModelDirectory(model)).rejects.toThrow(
      /text_encoder\.onnx is corrupt: its sha256 is [0-9a-f]{64}/,
    );
  });

  it('should refuse a manifest that is not a CineWeave model manifest', async () => {
    const model = copy();
    writeFileSync(join(model, 'model.json'), JSON.stringify({ format: 'something-else' }));
    await expect(openModelDirectory(model)).rejects.toThrow(ModelDirectoryError);
    await expect(openModelDirectory(model)).rejects.toThrow(/rebuild it with build-model/);
  });
});
