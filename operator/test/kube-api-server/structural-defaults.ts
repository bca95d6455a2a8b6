import type { StructuralSchema } from '../../scripts/crds/structural-schema.ts';
import { isPlainObject } from './types.ts';

/**
 * Applies the schema's defaults to a custom resource, as the apiserver does before validation:
 * missing (or null, where null is not allowed) fields get their default, and defaults of nested
 * fields apply inside the defaults themselves.
 */
export function applyDefaults(value: unknown, schema: StructuralSchema): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) applyDefaults(item, schema.items);
    return;
  }
  if (!isPlainObject(value)) return;
  if (schema.properties) {
    for (const [name, child] of Object.entries(schema.properties)) {
      if (value[name] === null && !child.nullable) delete value[name];
      if (value[name] === undefined && child.default !== undefined)
        value[name] = structuredClone(child.default);
      if (value[name] !== undefined) applyDefaults(value[name], child);
    }
  } else if (schema.additionalProperties) {
    for (const child of Object.values(value)) applyDefaults(child, schema.additionalProperties);
  }
}

/**
 * Drops the fields the schema does not know (pruning) and returns their paths, so that
 * `fieldValidation=Strict` can refuse them and `Warn` can report them.
 */
export function pruneUnknownFields(value: unknown, schema: StructuralSchema, path = ''): string[] {
  if (schema['x-kubernetes-preserve-unknown-fields']) return [];
  if (Array.isArray(value)) {
    const items = schema.items;
    if (!items) return [];
    return value.flatMap((item, index) => pruneUnknownFields(item, items, `${path}[${index}]`));
  }
  if (!isPlainObject(value)) return [];
  const unknown: string[] = [];
  if (schema.properties) {
    for (const name of Object.keys(value)) {
      const child = schema.properties[name];
      const childPath = path ? `${path}.${name}` : name;
      if (!child) {
        unknown.push(childPath);
        delete value[name];
      } else {
        unknown.push(...pruneUnknownFields(value[name], child, childPath));
      }
    }
  } else if (schema.additionalProperties) {
    for (const [name, child] of Object.entries(value)) {
      unknown.push(
        ...pruneUnknownFields(child, schema.additionalProperties, path ? `${path}.${name}` : name),
      );
    }
  }
  return unknown;
}
