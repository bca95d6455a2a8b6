import { ApiError, badRequest } from './api-error.ts';
import type { ListMergeRule } from './resource-type.ts';
import type { JsonObject } from './types.ts';
import { isPlainObject } from './types.ts';

/** RFC 7386 JSON merge patch; the target is left untouched. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return mergeInto(structuredClone(target), patch);
}

function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: JsonObject = isPlainObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergeInto(result[key], value);
  }
  return result;
}

/** RFC 6902 JSON patch; a failed `test` or a missing path refuses the whole patch. */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('a JSON patch must be an array of operations');
  let document = structuredClone(target);
  for (const operation of operations) {
    if (!isPlainObject(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') {
      throw badRequest(`invalid JSON patch operation: ${JSON.stringify(operation)}`);
    }
    const path = parsePointer(operation.path);
    switch (operation.op) {
      case 'add':
        document = addAt(document, path, structuredClone(operation.value));
        break;
      case 'remove':
        getAt(document, path, operation.path);
        document = removeAt(document, path);
        break;
      case 'replace':
        getAt(document, path, operation.path);
        document = removeAt(document, path);
        document = addAt(document, path, structuredClone(operation.value));
        break;
      case 'move': {
        const from = parsePointer(String(operation.from));
        const value = getAt(document, from, String(operation.from));
        document = addAt(removeAt(document, from), path, value);
        break;
      }
      case 'copy': {
        const value = getAt(document, parsePointer(String(operation.from)), String(operation.from));
        document = addAt(document, path, structuredClone(value));
        break;
      }
      case 'test': {
        const value = getAt(document, path, operation.path);
        if (JSON.stringify(value) !== JSON.stringify(operation.value)) {
          throw new ApiError(
            422,
            'Invalid',
            `the server rejected our request due to an error in our request`,
            {
              causes: [{ message: `testing value ${operation.path} failed`, field: operation.path }],
            },
          );
        }
        break;
      }
      default:
        throw badRequest(`unknown JSON patch operation ${operation.op}`);
    }
  }
  return document;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`invalid JSON pointer ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(document: unknown, path: string[], pointer: string): unknown {
  let current = document;
  for (const key of path) {
    if (Array.isArray(current) && /^\d+$/.test(key) && Number(key) < current.length)
      current = current[Number(key)];
    else if (isPlainObject(current) && Object.hasOwn(current, key)) current = current[key];
    else throw new ApiError(422, 'Invalid', `the server rejected our request: missing path ${pointer}`, {});
  }
  return current;
}

function addAt(document: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = getAt(document, path.slice(0, -1), '/' + path.slice(0, -1).join('/'));
  const key = path[path.length - 1];
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!(index >= 0 && index <= parent.length)) throw badRequest(`index ${key} out of range`);
    parent.splice(index, 0, value);
  } else if (isPlainObject(parent)) {
    parent[key] = value;
  } else {
    throw badRequest(`cannot add to a scalar at /${path.join('/')}`);
  }
  return document;
}

function removeAt(document: unknown, path: string[]): unknown {
  if (path.length === 0) return undefined;
  const parent = getAt(document, path.slice(0, -1), '/' + path.slice(0, -1).join('/'));
  const key = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (isPlainObject(parent)) delete parent[key];
  return document;
}

/**
 * Strategic merge patch for built-in kinds: a merge patch whose lists of objects merge by the
 * kind's merge keys (containers by name, conditions by type...) and which honours the `$patch`
 * directive; other `$` directives (`$setElementOrder`, `$retainKeys`) are ignored.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, rules: ListMergeRule[]): unknown {
  return strategicMerge(target, patch, rules);
}

function strategicMerge(target: unknown, patch: unknown, rules: ListMergeRule[]): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const result: JsonObject = isPlainObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const rule = rules.find((candidate) => candidate.field === key);
    if (rule && Array.isArray(value) && Array.isArray(result[key])) {
      result[key] = mergeList(result[key] as unknown[], value, rule, rules);
    } else {
      const merged = strategicMerge(result[key], value, rules);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  return result;
}

function mergeList(
  current: unknown[],
  patch: unknown[],
  rule: ListMergeRule,
  rules: ListMergeRule[],
): unknown[] {
  const result = structuredClone(current);
  const sameKey = (a: unknown, b: unknown) =>
    isPlainObject(a) && isPlainObject(b) && rule.keys.every((key) => a[key] === b[key]);
  for (const item of patch) {
    const index = result.findIndex((existing) => sameKey(existing, item));
    if (isPlainObject(item) && item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMerge(result[index], item, rules);
    } else {
      result.push(stripDirectives(item));
    }
  }
  return result;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('$'))
      .map(([key, child]) => [key, stripDirectives(child)]),
  );
}
