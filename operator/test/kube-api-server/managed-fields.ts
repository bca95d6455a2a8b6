import { ApiError } from './api-error.ts';
import type { ListMergeRule } from './resource-type.ts';
import type { JsonObject, KubeObject, ManagedFieldsEntry } from './types.ts';
import { isPlainObject } from './types.ts';

/**
 * Field ownership for server-side apply, kept in `metadata.managedFields` (FieldsV1). Simplified
 * from structured-merge-diff: fields are tracked at their leaves, lists are atomic unless a merge
 * rule names their keys (then each element is tracked by key), and maps are granular. What it
 * keeps faithful is what controllers rely on: an applier owns what it applied, a field another
 * manager set to a different value is a 409 conflict unless `force`, and fields an applier stops
 * applying are removed when nobody else owns them.
 */

type Segment = string; // `f:name` or `k:{"type":"Ready"}`

const UNTRACKED_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

export interface OwnershipContext {
  manager: string;
  subresource?: string;
  apiVersion: string;
  rules: ListMergeRule[];
  now: string;
}

function leafPaths(value: unknown, rules: ListMergeRule[], prefix: Segment[] = [], field = ''): Segment[][] {
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([key]) => {
      if (prefix.length === 0) return key !== 'apiVersion' && key !== 'kind';
      if (prefix.length === 1 && prefix[0] === 'f:metadata') return !UNTRACKED_METADATA.has(key);
      return true;
    });
    // An empty object is a field of its own; one whose fields are all untracked (metadata.name...) is not.
    if (entries.length === 0) return prefix.length > 0 && Object.keys(value).length === 0 ? [prefix] : [];
    return entries.flatMap(([key, child]) => leafPaths(child, rules, [...prefix, `f:${key}`], key));
  }
  const rule = rules.find((candidate) => candidate.field === field);
  if (Array.isArray(value) && rule && value.every(isPlainObject)) {
    return value.flatMap((item) => {
      const key = Object.fromEntries(rule.keys.map((name) => [name, (item as JsonObject)[name]]));
      return leafPaths(item, rules, [...prefix, `k:${JSON.stringify(key)}`], '');
    });
  }
  return [prefix];
}

function child(value: unknown, segment: Segment): unknown {
  if (segment.startsWith('f:')) return isPlainObject(value) ? value[segment.slice(2)] : undefined;
  const key = JSON.parse(segment.slice(2)) as JsonObject;
  return Array.isArray(value)
    ? value.find((item) => isPlainObject(item) && Object.entries(key).every(([k, v]) => item[k] === v))
    : undefined;
}

function valueAt(value: unknown, path: Segment[]): unknown {
  return path.reduce((current, segment) => child(current, segment), value);
}

function deleteAt(value: unknown, path: Segment[]): void {
  const parent = valueAt(value, path.slice(0, -1));
  const last = path[path.length - 1];
  if (last.startsWith('f:')) {
    if (isPlainObject(parent)) delete parent[last.slice(2)];
  } else if (Array.isArray(parent)) {
    const index = parent.indexOf(child(parent, last));
    if (index >= 0) parent.splice(index, 1);
  }
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function toFieldsV1(paths: Iterable<string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const encoded of paths) {
    let node = root;
    for (const segment of JSON.parse(encoded) as Segment[]) {
      node[segment] ??= {};
      node = node[segment] as Record<string, unknown>;
    }
  }
  return root;
}

function fromFieldsV1(tree: unknown, prefix: Segment[] = []): Set<string> {
  const paths = new Set<string>();
  const entries = isPlainObject(tree) ? Object.entries(tree).filter(([key]) => key !== '.') : [];
  if (entries.length === 0) {
    if (prefix.length > 0) paths.add(JSON.stringify(prefix));
    return paths;
  }
  for (const [segment, subtree] of entries)
    for (const path of fromFieldsV1(subtree, [...prefix, segment])) paths.add(path);
  return paths;
}

/** A readable field path for conflict messages: `.spec.replicas`, `.status.conditions[type="Ready"]`. */
export function displayPath(encoded: string): string {
  return (JSON.parse(encoded) as Segment[])
    .map((segment) =>
      segment.startsWith('f:')
        ? `.${segment.slice(2)}`
        : `[${Object.entries(JSON.parse(segment.slice(2)) as JsonObject)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}]`,
    )
    .join('');
}

interface Entry {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource?: string;
  apiVersion: string;
  time: string;
  paths: Set<string>;
}

function readEntries(object: KubeObject | undefined): Entry[] {
  return (object?.metadata.managedFields ?? []).map((entry) => ({
    manager: entry.manager,
    operation: entry.operation,
    subresource: entry.subresource,
    apiVersion: entry.apiVersion,
    time: entry.time,
    paths: fromFieldsV1(entry.fieldsV1),
  }));
}

function writeEntries(entries: Entry[]): ManagedFieldsEntry[] {
  return entries
    .filter((entry) => entry.paths.size > 0)
    .map((entry) => ({
      manager: entry.manager,
      operation: entry.operation,
      apiVersion: entry.apiVersion,
      time: entry.time,
      fieldsType: 'FieldsV1' as const,
      fieldsV1: toFieldsV1([...entry.paths].sort()),
      ...(entry.subresource ? { subresource: entry.subresource } : {}),
    }));
}

function entryFor(entries: Entry[], context: OwnershipContext, operation: 'Apply' | 'Update'): Entry {
  let entry = entries.find(
    (candidate) =>
      candidate.manager === context.manager &&
      candidate.operation === operation &&
      (candidate.subresource ?? '') === (context.subresource ?? ''),
  );
  if (!entry) {
    entry = {
      manager: context.manager,
      operation,
      subresource: context.subresource,
      apiVersion: context.apiVersion,
      time: context.now,
      paths: new Set(),
    };
    entries.push(entry);
  }
  entry.time = context.now;
  entry.apiVersion = context.apiVersion;
  return entry;
}

/** Ownership after a create, update or patch: the writer takes every field it changed. */
export function recordUpdate(
  oldObject: KubeObject | undefined,
  newObject: KubeObject,
  context: OwnershipContext,
): ManagedFieldsEntry[] {
  const entries = readEntries(oldObject);
  const newPaths = leafPaths(stripManaged(newObject), context.rules).map((path) => JSON.stringify(path));
  const oldPaths = new Set(
    oldObject ? leafPaths(stripManaged(oldObject), context.rules).map((path) => JSON.stringify(path)) : [],
  );
  const changed = newPaths.filter(
    (path) =>
      !oldPaths.has(path) ||
      !equal(valueAt(oldObject, JSON.parse(path)), valueAt(newObject, JSON.parse(path))),
  );
  const present = new Set(newPaths);
  for (const entry of entries) {
    for (const path of entry.paths)
      if (!present.has(path) || changed.includes(path)) entry.paths.delete(path);
  }
  if (changed.length > 0) {
    const entry = entryFor(entries, context, 'Update');
    for (const path of changed) entry.paths.add(path);
  }
  return writeEntries(entries);
}

function stripManaged(object: KubeObject): KubeObject {
  return { ...object, metadata: { ...object.metadata, managedFields: undefined } };
}

function mergeApplied(current: unknown, config: unknown, rules: ListMergeRule[], field = ''): unknown {
  if (isPlainObject(config)) {
    const result: JsonObject = isPlainObject(current) ? { ...current } : {};
    for (const [key, value] of Object.entries(config))
      result[key] = mergeApplied(result[key], value, rules, key);
    return result;
  }
  const rule = rules.find((candidate) => candidate.field === field);
  if (rule && Array.isArray(config) && Array.isArray(current) && config.every(isPlainObject)) {
    const result = [...current];
    for (const item of config as JsonObject[]) {
      const index = result.findIndex(
        (existing) => isPlainObject(existing) && rule.keys.every((key) => existing[key] === item[key]),
      );
      if (index >= 0) result[index] = mergeApplied(result[index], item, rules);
      else result.push(structuredClone(item));
    }
    return result;
  }
  return structuredClone(config);
}

/**
 * The list items and nested objects that held only fields an applier stopped applying: deepest
 * first, those that neither its new configuration nor another manager still reaches. Upstream's
 * managedFields list such nodes as members (`".": {}`), so structured-merge-diff's prune removes the
 * whole item or object (a container dropped from a Deployment goes, not just its leaves); here only
 * leaves are tracked, so the nodes are recovered from the paths.
 */
function staleParents(stale: string[], applied: Set<string>, others: Entry[]): Segment[][] {
  const reached = new Set<string>();
  const reach = (encoded: string) => {
    const path = JSON.parse(encoded) as Segment[];
    for (let length = 1; length <= path.length; length++) reached.add(JSON.stringify(path.slice(0, length)));
  };
  for (const path of applied) reach(path);
  for (const entry of others) for (const path of entry.paths) reach(path);
  const parents = new Map<string, Segment[]>();
  for (const encoded of stale) {
    const path = JSON.parse(encoded) as Segment[];
    // Top-level fields (metadata, spec, status) stay, as the object's own structure.
    for (let length = 2; length < path.length; length++) {
      const parent = path.slice(0, length);
      const key = JSON.stringify(parent);
      if (!reached.has(key)) parents.set(key, parent);
    }
  }
  return [...parents.values()].sort((a, b) => b.length - a.length);
}

export interface ApplyResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Merges an applied configuration into the live object for `manager`. `current` is undefined when
 * the apply creates the object. Throws a 409 listing every conflict unless `force`.
 */
export function serverSideApply(
  current: KubeObject | undefined,
  config: KubeObject,
  force: boolean,
  context: OwnershipContext,
): ApplyResult {
  const entries = readEntries(current);
  const configPaths = leafPaths(stripManaged(config), context.rules).map((path) => JSON.stringify(path));
  const conflicts: Array<{ manager: string; apiVersion: string; path: string }> = [];
  for (const entry of entries) {
    if (entry.manager === context.manager) continue;
    for (const path of configPaths) {
      if (
        entry.paths.has(path) &&
        !equal(valueAt(current, JSON.parse(path)), valueAt(config, JSON.parse(path)))
      ) {
        conflicts.push({ manager: entry.manager, apiVersion: entry.apiVersion, path });
      }
    }
  }
  if (conflicts.length > 0 && !force) {
    const byManager = [
      ...new Set(conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}`)),
    ];
    const fields = conflicts.map((c) => displayPath(c.path));
    const message =
      conflicts.length === 1
        ? `Apply failed with 1 conflict: ${byManager[0]}: ${fields[0]}`
        : `Apply failed with ${conflicts.length} conflicts: ${byManager.join('; ')}:\n${fields.map((f) => `- ${f}`).join('\n')}`;
    throw new ApiError(409, 'Conflict', message, {
      causes: conflicts.map((c) => ({
        reason: 'FieldManagerConflict',
        message: `conflict with "${c.manager}" using ${c.apiVersion}`,
        field: displayPath(c.path),
      })),
    });
  }
  for (const { path } of conflicts)
    for (const entry of entries) if (entry.manager !== context.manager) entry.paths.delete(path);

  const base = structuredClone(
    current ?? { apiVersion: config.apiVersion, kind: config.kind, metadata: {} },
  ) as KubeObject;
  const mine = entryFor(entries, context, 'Apply');
  const applied = new Set(configPaths);
  const others = entries.filter((entry) => entry !== mine);
  const stale = [...mine.paths].filter((path) => !applied.has(path));
  // Whole items first, while the key fields that find them are still there; then single fields.
  for (const path of staleParents(stale, applied, others)) deleteAt(base, path);
  for (const path of stale) {
    if (!others.some((entry) => entry.paths.has(path))) deleteAt(base, JSON.parse(path));
  }
  mine.paths = applied;
  const object = mergeApplied(base, stripManaged(config), context.rules) as KubeObject;
  object.metadata.managedFields = undefined;
  return { object, managedFields: writeEntries(entries) };
}
