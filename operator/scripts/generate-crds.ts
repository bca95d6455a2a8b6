/**
 * Writes operator/crds/*.yaml from the contracts schemas; `--check` only reports drift
 * (exit code 1) so that CI can refuse a stale CRD.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderCrds } from './crds/crd-definitions.ts';

const crdDirectory = fileURLToPath(new URL('../crds/', import.meta.url));
const check = process.argv.includes('--check');
let stale = 0;
for (const [file, text] of await renderCrds()) {
  const path = crdDirectory + file;
  const current = await readFile(path, 'utf8').catch(() => '');
  if (current === text) continue;
  if (check) {
    stale += 1;
    console.error(`${path} is out of date with the contracts; run npm run -w operator crds:generate`);
  } else {
    await writeFile(path, text);
    console.log(`Wrote ${path}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
