import type { ResourceType, TableColumn } from './resource-type.ts';
import type { KubeObject } from './types.ts';
import { isPlainObject } from './types.ts';

/** What `Accept: application/json;as=Table;g=meta.k8s.io;v=v1` asks for. */
export function wantsTable(accept: string | undefined): boolean {
  return Boolean(accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept));
}

function partialMetadata(object: KubeObject): Record<string, unknown> {
  const { managedFields: _managed, ...metadata } = object.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
}

/** A metav1.Table of objects with the kind's printer columns, as kubectl get prints it. */
export function toTable(
  type: ResourceType,
  objects: KubeObject[],
  listMetadata: Record<string, unknown>,
  now = Date.now(),
  includeObject = 'Metadata',
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMetadata,
    columnDefinitions: type.columns.map((column) => ({
      name: column.name,
      type: column.type === 'date' ? 'string' : column.type,
      format: column.format ?? (column.type === 'date' ? 'date' : ''),
      description: column.description ?? '',
      priority: column.priority ?? 0,
    })),
    rows: objects.map((object) => ({
      cells: type.columns.map((column) => cellOf(column, object, now)),
      object:
        includeObject === 'None' ? undefined : includeObject === 'Object' ? object : partialMetadata(object),
    })),
  };
}

function cellOf(column: TableColumn, object: KubeObject, now: number): unknown {
  const value = column.cell
    ? column.cell(object)
    : column.jsonPath
      ? evaluateJsonPath(object, column.jsonPath)
      : undefined;
  if (value === undefined || value === null) return null;
  if (column.type === 'date' && typeof value === 'string') return humanDuration(now - Date.parse(value));
  return value;
}

/**
 * The JSONPath subset printer columns use: `.a.b`, `.a[0]`, `.a['b.c']` and
 * `.list[?(@.type=="Ready")].status`.
 */
export function evaluateJsonPath(object: unknown, path: string): unknown {
  const tokens = path
    .replace(/^\{|\}$/g, '')
    .match(/\.[^.[\]]+|\[\?\(@\.[\w]+\s*==\s*["'][^"']*["']\)\]|\['[^']+'\]|\[\d+\]/g);
  let values: unknown[] = [object];
  for (const token of tokens ?? []) {
    const next: unknown[] = [];
    for (const value of values) {
      if (token.startsWith('[?(')) {
        const [, key, expected] = /@\.([\w]+)\s*==\s*["']([^"']*)["']/.exec(token) ?? [];
        if (Array.isArray(value))
          next.push(...value.filter((item) => isPlainObject(item) && item[key] === expected));
      } else if (/^\[\d+\]$/.test(token)) {
        if (Array.isArray(value)) next.push(value[Number(token.slice(1, -1))]);
      } else {
        const key = token.startsWith("['") ? token.slice(2, -2) : token.slice(1);
        if (isPlainObject(value)) next.push(value[key]);
      }
    }
    values = next.filter((value) => value !== undefined);
  }
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values.join(',');
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration, the Age column's format. */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8)
    return days % 365 === 0 ? `${days / 365}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}
