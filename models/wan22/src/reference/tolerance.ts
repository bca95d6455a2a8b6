import type { ReferenceIndex } from './reference-types.ts';

/**
 * Parses index.json's textual tolerance lists, e.g.
 * "latents 1e-3, noise_pred 2e-3, pred_cond/uncond 5e-4, pos/neg_context 1e-5, i2v.z 3e-5".
 * Slash alternatives share the other half's affix: pred_cond/uncond -> pred_cond, pred_uncond;
 * pos/neg_context -> pos_context, neg_context.
 */
export function parseToleranceList(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of text.split(',')) {
    const match = /^\s*(\S+)\s+([0-9.eE+-]+)\s*$/.exec(item);
    if (!match) continue;
    const value = Number(match[2]);
    if (!Number.isFinite(value)) continue;
    const parts = match[1].split('/');
    if (parts.length === 1) {
      out.set(parts[0], value);
      continue;
    }
    const first = parts[0];
    const last = parts[parts.length - 1];
    for (const part of parts) {
      let name = part;
      if (!part.includes('_')) {
        if (first.includes('_') && part !== first)
          name = `${first.slice(0, first.lastIndexOf('_') + 1)}${part}`;
        else if (last.includes('_') && part !== last) name = `${part}${last.slice(last.indexOf('_'))}`;
      }
      out.set(name, value);
    }
  }
  return out;
}

/** The tolerance index.json gives `file` (optionally the entry `key` of a textual list). */
export function toleranceFor(index: ReferenceIndex, file: string, key?: string): number {
  const suggestion = index.suggested_tolerances?.[file] ?? index.files[file]?.suggested_tolerance;
  if (!suggestion) throw new Error(`index.json gives no tolerance for ${file}`);
  if (key !== undefined) {
    const listed = parseToleranceList(suggestion.what);
    const value = listed.get(key);
    if (value !== undefined) return value;
  }
  if (typeof suggestion.max_abs === 'number') return suggestion.max_abs;
  throw new Error(
    `index.json lists several tolerances for ${file} ("${suggestion.what}") and none is named ${JSON.stringify(key)}`,
  );
}
