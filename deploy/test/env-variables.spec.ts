import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  envExampleVariables,
  readmeTableVariables,
  repoRoot,
  variablesReadBy,
  variablesReadByCode,
} from './env-variables.ts';

const code = variablesReadByCode();
const readme = readmeTableVariables(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
const example = envExampleVariables(readFileSync(join(repoRoot, '.env.example'), 'utf8'));

/** `NAME (read in file)`, so a failure says where to look. */
const withReaders = (names: string[]) =>
  names.map((name) => `${name} (read in ${code.get(name)?.join(', ')})`);

describe('environment variables', () => {
  it('should find the variables of env schemas, process.env and shell defaults when reading code', () => {
    const schema =
      'export const EnvSchema = z\n  .object({\n    PORT: z.number(),\n    /** x */\n    LOG_LEVEL: z.string(),\n  })';
    expect(variablesReadBy(schema, 'config.ts')).toEqual(['PORT', 'LOG_LEVEL']);
    expect(variablesReadBy("const a = process.env.WEB_PORT ?? process.env['HOST'];", 'up.ts')).toEqual([
      'WEB_PORT',
      'HOST',
    ]);
    expect(
      variablesReadBy('logs="${CINEWEAVE_STATE_DIR:-$root/.cineweave}/logs"; echo "$PATH"', 'up.sh'),
    ).toEqual(['CINEWEAVE_STATE_DIR']);
    expect(code.size).toBeGreaterThan(80);
  });

  it('should document every variable the code reads in the README configuration table', () => {
    expect(withReaders([...code.keys()].filter((name) => !readme.has(name)))).toEqual([]);
  });

  it('should list every variable the code reads in .env.example', () => {
    expect(withReaders([...code.keys()].filter((name) => !example.has(name)))).toEqual([]);
  });

  it('should name no variable that nothing reads in the README table or .env.example', () => {
    expect([...readme].filter((name) => !code.has(name))).toEqual([]);
    expect([...example].filter((name) => !code.has(name))).toEqual([]);
  });
});
