// `nx lint chart`: helm lint --strict with the defaults and every ci values file.
import { readdirSync } from 'node:fs';
import { chartDir, helm, installTools } from './tools.ts';

await installTools();
const files = readdirSync(`${chartDir}ci`).filter((name) => name.endsWith('-values.yaml'));
for (const args of [[], ...files.map((file) => ['--values', `ci/${file}`])]) {
  try {
    await helm(['lint', '.', '--strict', ...args]);
    console.log(`helm lint --strict ${args.join(' ') || '(defaults)'}: ok`);
  } catch (error) {
    console.error((error as { stdout?: string }).stdout ?? String(error));
    process.exit(1);
  }
}
