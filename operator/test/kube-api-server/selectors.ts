import { badRequest } from './api-error.ts';
import type { KubeObject } from './types.ts';
import { isPlainObject } from './types.ts';

type Requirement =
  { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | '!exists' };

export type Selector = (object: KubeObject) => boolean;

const MATCH_ALL: Selector = () => true;

/**
 * Parses a label selector (`app=x,tier!=db,env in (a,b),!legacy`) the way
 * k8s.io/apimachinery/pkg/labels does, into a predicate on objects.
 */
export function parseLabelSelector(text: string | null): Selector {
  if (!text || !text.trim()) return MATCH_ALL;
  const requirements = splitTopLevel(text).map(parseRequirement);
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return requirements.every((requirement) => {
      const has = Object.hasOwn(labels, requirement.key);
      switch (requirement.op) {
        case 'exists':
          return has;
        case '!exists':
          return !has;
        case 'in':
          return has && requirement.values.includes(labels[requirement.key]);
        case 'notin':
          return !has || !requirement.values.includes(labels[requirement.key]);
      }
    });
  };
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

function parseRequirement(part: string): Requirement {
  let match = /^!\s*([\w./-]+)$/.exec(part);
  if (match) return { key: match[1], op: '!exists' };
  match = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
  if (match) {
    return {
      key: match[1],
      op: match[2] as 'in' | 'notin',
      values: match[3].split(',').map((v) => v.trim()),
    };
  }
  match = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(part);
  if (match) return { key: match[1], op: match[2] === '!=' ? 'notin' : 'in', values: [match[3]] };
  match = /^([\w./-]+)$/.exec(part);
  if (match) return { key: match[1], op: 'exists' };
  throw badRequest(`unable to parse requirement: ${JSON.stringify(part)}: found unexpected input`);
}

/**
 * Parses a field selector (`metadata.name=x,involvedObject.kind!=Pod`). Any dotted path of the
 * object can be selected on; the real apiserver allows fewer fields per kind.
 */
export function parseFieldSelector(text: string | null): Selector {
  if (!text || !text.trim()) return MATCH_ALL;
  const terms = text.split(',').map((term) => {
    const match = /^\s*([\w.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(term);
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    return { path: match[1].split('.'), negate: match[2] === '!=', value: match[3] };
  });
  return (object) =>
    terms.every(({ path, negate, value }) => {
      let current: unknown = object;
      for (const key of path) current = isPlainObject(current) ? current[key] : undefined;
      const actual = current === undefined || current === null ? '' : String(current);
      return negate ? actual !== value : actual === value;
    });
}
