import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadRunners } from './registry.ts';
import {
  casePassed,
  type ReferenceIndex,
  type ReferenceRunner,
  type ReferenceVariant,
} from './reference-types.ts';
import { toleranceFor } from './tolerance.ts';

export interface ReferenceCheckLine {
  readonly file: string;
  readonly name: string;
  readonly maxAbsError: number;
  readonly tolerance: number;
  readonly passed: boolean;
  readonly failure?: string;
}

export interface ReferenceCheckReport {
  readonly lines: ReferenceCheckLine[];
  readonly passed: number;
  readonly failed: number;
}

export interface ReferenceCheckOptions {
  /** Only files whose name contains one of these (e.g. ['dit-tiny-cases']). */
  readonly only?: readonly string[];
  readonly runners?: ReadonlyMap<string, ReferenceRunner>;
  readonly onLine?: (line: ReferenceCheckLine) => void;
  readonly variant?: ReferenceVariant;
}

export function formatLine(line: ReferenceCheckLine): string {
  const status = line.passed ? 'PASS' : 'FAIL';
  const why = line.failure ? `  (${line.failure})` : '';
  const label = `${line.file.replace(/\.safetensors$/, '')}/${line.name}`;
  return `${label.padEnd(48)} max_abs=${line.maxAbsError.toExponential(2).padEnd(9)} tol=${line.tolerance.toExponential(0).padEnd(6)} ${status}${why}`;
}

/** Runs every case of every file the directory's index.json lists. */
export async function referenceCheck(
  dirArg: string,
  options: ReferenceCheckOptions = {},
): Promise<ReferenceCheckReport> {
  const dir = resolve(dirArg);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as ReferenceIndex;
  if (!index.files || typeof index.files !== 'object')
    throw new Error(`${dir}/index.json has no "files" object`);
  const runners = options.runners ?? (await loadRunners());
  const lines: ReferenceCheckLine[] = [];
  const emit = (line: ReferenceCheckLine): void => {
    lines.push(line);
    options.onLine?.(line);
  };
  for (const [file, entry] of Object.entries(index.files)) {
    if (options.only && !options.only.some((o) => file.includes(o))) continue;
    const runner = runners.get(file);
    if (!runner) {
      if (file.endsWith('-cases.safetensors')) {
        emit({
          file,
          name: '*',
          maxAbsError: Number.NaN,
          tolerance: 0,
          passed: false,
          failure: 'no runner for this file',
        });
      }
      continue;
    }
    try {
      const results = await runner.run({
        dir,
        file,
        entry,
        index,
        tolerance: (key?: string) => toleranceFor(index, file, key),
        variant: options.variant,
      });
      if (results.length === 0) {
        emit({
          file,
          name: '*',
          maxAbsError: Number.NaN,
          tolerance: 0,
          passed: false,
          failure: 'runner returned no cases',
        });
      }
      for (const r of results) emit({ file, ...r, passed: casePassed(r) });
    } catch (error) {
      const failure = error instanceof Error ? error.message : String(error);
      emit({ file, name: '*', maxAbsError: Number.NaN, tolerance: 0, passed: false, failure });
    }
  }
  const passed = lines.filter((l) => l.passed).length;
  return { lines, passed, failed: lines.length - passed };
}
