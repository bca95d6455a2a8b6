/**
 * Turns the JSON Schema that zod emits into a Kubernetes *structural* schema
 * (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema):
 * every node typed, no bare anyOf, no additionalProperties: false (pruning drops unknown fields),
 * no JSON Schema keywords the apiserver refuses ($schema, propertyNames), and a description on
 * every field so that `kubectl explain` documents the whole resource.
 */

export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: string;
}

export interface StructuralSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  required?: string[];
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema;
  items?: StructuralSchema;
  anyOf?: StructuralSchema[];
  nullable?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: CelRule[];
}

type JsonSchema = Record<string, unknown> & {
  type?: string;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  required?: string[];
  description?: string;
};

/** Options that say how the zod shapes that have no direct structural form are expressed. */
export interface StructuralOptions {
  /** Message of the CEL rule that makes a union of one-field objects "exactly one of". */
  oneOfMessage?: (fields: string[], path: string) => string;
}

const SAFE_INTEGER_BOUND = Number.MAX_SAFE_INTEGER;
/** Formats the apiserver checks itself: zod's equivalent regular expressions only add noise. */
const FORMATS_WITHOUT_PATTERN = new Set(['date-time', 'uuid', 'email']);
/** The quantity pattern of k8s.io/apimachinery resource.Quantity, as CRDs for resources use it. */
const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

export class UndescribedFieldsError extends Error {
  readonly paths: string[];

  constructor(paths: string[]) {
    super(
      `These fields have no description; add .describe('...') to them in @cineweave/contracts: ${paths.join(', ')}`,
    );
    this.paths = paths;
  }
}

/** Converts a zod JSON Schema (draft 2020-12, io: input) into a structural schema. */
export function toStructuralSchema(schema: JsonSchema, options: StructuralOptions = {}): StructuralSchema {
  const undescribed: string[] = [];
  const result = convert(schema, '', options, undescribed);
  if (undescribed.length > 0) throw new UndescribedFieldsError(undescribed);
  return result;
}

function convert(
  node: JsonSchema,
  path: string,
  options: StructuralOptions,
  undescribed: string[],
): StructuralSchema {
  if (node.anyOf) return convertUnion(node, path, options, undescribed);
  const out: StructuralSchema = {};
  if (typeof node.description === 'string') out.description = node.description;
  switch (node.type) {
    case 'object':
      out.type = 'object';
      copyDefault(node, out);
      if (node.properties) {
        out.properties = {};
        for (const [name, child] of Object.entries(node.properties)) {
          const childPath = `${path}.${name}`;
          if (typeof child.description !== 'string') undescribed.push(childPath.slice(1));
          out.properties[name] = convert(child, childPath, options, undescribed);
        }
        if (node.required && node.required.length > 0) out.required = [...node.required];
      } else if (typeof node.additionalProperties === 'object') {
        out.additionalProperties = convert(node.additionalProperties, `${path}[*]`, options, undescribed);
      } else {
        out['x-kubernetes-preserve-unknown-fields'] = true;
      }
      return out;
    case 'array':
      out.type = 'array';
      copyDefault(node, out);
      copyNumbers(node, out, ['minItems', 'maxItems']);
      if (!node.items) throw new Error(`${path || '<root>'}: an array needs an item schema to be structural`);
      out.items = convert(node.items, `${path}[]`, options, undescribed);
      // Conditions are keyed by type (metav1.Condition): server-side apply merges them per type.
      if (
        out.items.type === 'object' &&
        out.items.required?.includes('type') &&
        path.endsWith('.conditions')
      ) {
        out['x-kubernetes-list-type'] = 'map';
        out['x-kubernetes-list-map-keys'] = ['type'];
      }
      return out;
    case 'string': {
      out.type = 'string';
      copyDefault(node, out);
      if (Array.isArray(node.enum)) out.enum = [...(node.enum as unknown[])];
      if (typeof node.format === 'string') out.format = node.format;
      if (typeof node.pattern === 'string' && !FORMATS_WITHOUT_PATTERN.has(out.format ?? ''))
        out.pattern = node.pattern;
      // zod's URL check also restricts the protocol, which JSON Schema's uri format cannot say.
      if (out.format === 'uri' && !out.pattern) out.pattern = '^https?://';
      if (typeof node.minLength === 'number' && node.minLength > 0) out.minLength = node.minLength;
      if (typeof node.maxLength === 'number') out.maxLength = node.maxLength;
      return out;
    }
    case 'integer':
    case 'number':
      out.type = node.type;
      copyDefault(node, out);
      if (typeof node.format === 'string') out.format = node.format;
      copyNumbers(node, out, ['minimum', 'maximum']);
      return out;
    case 'boolean':
      out.type = 'boolean';
      copyDefault(node, out);
      return out;
    default:
      throw new Error(
        `${path || '<root>'}: a schema without a type cannot be structural (${JSON.stringify(node)})`,
      );
  }
}

function convertUnion(
  node: JsonSchema,
  path: string,
  options: StructuralOptions,
  undescribed: string[],
): StructuralSchema {
  const branches = node.anyOf ?? [];
  const types = new Set(branches.map((branch) => branch.type));
  const description = typeof node.description === 'string' ? node.description : undefined;

  // string | number: a Kubernetes quantity (int-or-string).
  if (types.size === 2 && types.has('string') && (types.has('number') || types.has('integer'))) {
    return {
      ...(description ? { description } : {}),
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      pattern: QUANTITY_PATTERN,
      'x-kubernetes-int-or-string': true,
    };
  }

  // A union of objects with one required field each is "exactly one of these fields": one object
  // with every field optional, and a CEL rule that counts them (a clear message beats maxProperties).
  if (types.size === 1 && types.has('object') && branches.every((branch) => branch.properties)) {
    const properties: Record<string, StructuralSchema> = {};
    const merged: StructuralSchema = { type: 'object', ...(description ? { description } : {}), properties };
    const fields: string[] = [];
    for (const branch of branches) {
      for (const [name, child] of Object.entries(branch.properties ?? {})) {
        const childPath = `${path}.${name}`;
        if (typeof child.description !== 'string') undescribed.push(childPath.slice(1));
        properties[name] = convert(child, childPath, options, undescribed);
        fields.push(name);
      }
    }
    const count = fields.map((field) => `(has(self.${field}) ? 1 : 0)`).join(' + ');
    const message = options.oneOfMessage?.(fields, path) ?? `exactly one of ${fields.join(', ')} must be set`;
    merged['x-kubernetes-validations'] = [{ rule: `${count} == 1`, message }];
    return merged;
  }

  throw new Error(
    `${path || '<root>'}: this union has no structural form; model it as an object or a quantity`,
  );
}

function copyDefault(node: JsonSchema, out: StructuralSchema): void {
  if ('default' in node) out.default = structuredClone(node.default);
}

function copyNumbers(
  node: JsonSchema,
  out: StructuralSchema,
  keys: Array<keyof StructuralSchema & string>,
): void {
  for (const key of keys) {
    const value = node[key];
    if (typeof value === 'number' && Math.abs(value) !== SAFE_INTEGER_BOUND) {
      (out as Record<string, unknown>)[key] = value;
    }
  }
}
