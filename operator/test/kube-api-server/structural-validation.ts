import { parse as parseCel } from '@marcbachmann/cel-js';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { StructuralSchema } from '../../scripts/crds/structural-schema.ts';
import type { StatusCause } from './types.ts';
import { isPlainObject } from './types.ts';

/**
 * Validates custom resources against their structural schema (OpenAPI keywords through ajv) and
 * their `x-kubernetes-validations` CEL rules, and words each problem the way the apiserver does
 * (`spec.priority: Invalid value: 101: spec.priority in body should be less than or equal to 100`)
 * so that kubectl shows familiar messages.
 */
export class StructuralValidator {
  private readonly validateSchema: ValidateFunction;
  private readonly schema: StructuralSchema;
  private readonly programs = new Map<string, ReturnType<typeof parseCel>>();

  constructor(schema: StructuralSchema) {
    this.schema = schema;
    const ajv = sharedAjv();
    const ajvSchema = toAjvSchema(schema);
    this.validateSchema = ajv.compile(ajvSchema);
    // The compiled function is all that is kept: the instance's cache would otherwise grow by every
    // schema a long-running server ever validated (each default of each CRD).
    ajv.removeSchema(ajvSchema);
  }

  validate(object: unknown, oldObject?: unknown): StatusCause[] {
    return dedupe([...this.schemaCauses(object), ...this.ruleCauses(object, oldObject)]);
  }

  /**
   * The OpenAPI keywords (types, bounds, patterns, formats, required fields), then the uniqueness
   * of `x-kubernetes-list-type` set and map lists, as the apiserver checks them once the object fits
   * its schema.
   */
  schemaCauses(object: unknown): StatusCause[] {
    if (this.validateSchema(object)) return listTypeCauses(this.schema, object, '');
    const causes: StatusCause[] = [];
    for (const error of this.validateSchema.errors ?? []) {
      const cause = describeAjvError(error, object);
      if (cause) causes.push(cause);
    }
    return dedupe(causes);
  }

  /** The `x-kubernetes-validations` CEL rules alone; transition rules only when there is an old value. */
  ruleCauses(object: unknown, oldObject?: unknown): StatusCause[] {
    const causes: StatusCause[] = [];
    this.checkRules(this.schema, object, oldObject, '', causes);
    return dedupe(causes);
  }

  private checkRules(
    schema: StructuralSchema,
    value: unknown,
    oldValue: unknown,
    path: string,
    causes: StatusCause[],
  ): void {
    if (value === undefined) return;
    for (const rule of schema['x-kubernetes-validations'] ?? []) {
      const transition = /\boldSelf\b/.test(rule.rule);
      if (transition && oldValue === undefined) continue;
      const field = rule.fieldPath
        ? path
          ? `${path}${rule.fieldPath}`
          : rule.fieldPath.replace(/^\./, '')
        : path;
      try {
        const passed = this.program(rule.rule)({
          self: toCel(value, schema),
          ...(transition ? { oldSelf: toCel(oldValue, schema) } : {}),
        });
        if (passed !== true) {
          causes.push({
            reason: 'FieldValueInvalid',
            field: field || '<root>',
            message: `Invalid value: "${celTypeName(value)}": ${rule.message || `failed rule: ${rule.rule}`}`,
          });
        }
      } catch (error) {
        // Worded as cel.Validator does: `no such key: minReplicas evaluating rule: self.minReplicas <= ...`.
        causes.push({
          reason: 'FieldValueInvalid',
          field: field || '<root>',
          message: `Invalid value: "${celTypeName(value)}": ${celErrorText(error)} evaluating rule: ${rule.rule}`,
        });
      }
    }
    if (schema.properties && isPlainObject(value)) {
      const old = isPlainObject(oldValue) ? oldValue : undefined;
      for (const [name, child] of Object.entries(schema.properties)) {
        this.checkRules(child, value[name], old?.[name], path ? `${path}.${name}` : name, causes);
      }
    } else if (schema.additionalProperties && isPlainObject(value)) {
      const old = isPlainObject(oldValue) ? oldValue : undefined;
      for (const [name, child] of Object.entries(value)) {
        this.checkRules(schema.additionalProperties, child, old?.[name], `${path}.${name}`, causes);
      }
    } else if (schema.items && Array.isArray(value)) {
      const items = schema.items;
      // Items of lists are not correlated with the old list (only list-type=map would allow it).
      value.forEach((item, index) => this.checkRules(items, item, undefined, `${path}[${index}]`, causes));
    }
  }

  private program(rule: string): ReturnType<typeof parseCel> {
    let program = this.programs.get(rule);
    if (!program) {
      program = parseCel(rule);
      this.programs.set(rule, program);
    }
    return program;
  }
}

let ajvInstance: Ajv | undefined;

/**
 * One ajv for the process: its first compile builds the meta-schema validator (tens to hundreds of
 * milliseconds on a loaded machine), which a fresh instance per schema paid for every CRD default.
 */
function sharedAjv(): Ajv {
  if (!ajvInstance) {
    ajvInstance = new Ajv({ allErrors: true, strict: false, validateFormats: true });
    for (const [name, check] of Object.entries(FORMATS)) ajvInstance.addFormat(name, check);
  }
  return ajvInstance;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The formats of k8s.io/kube-openapi's strfmt registry that the CRDs use. */
const FORMATS: Record<string, (value: string) => boolean> = {
  uuid: (value) => UUID.test(value),
  'date-time': (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)),
  uri: (value) => URL.canParse(value),
  email: (value) => /^[^@\s]+@[^@\s]+$/.test(value),
  byte: (value) => /^[A-Za-z0-9+/]*={0,2}$/.test(value),
  int32: () => true,
  int64: () => true,
  float: () => true,
  double: () => true,
};

function toAjvSchema(schema: StructuralSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-') || key === 'default' || key === 'description') continue;
    if (key === 'properties' && isPlainObject(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, toAjvSchema(child as StructuralSchema)]),
      );
    } else if ((key === 'items' || key === 'additionalProperties') && isPlainObject(value)) {
      out[key] = toAjvSchema(value as StructuralSchema);
    } else if (key === 'anyOf' && Array.isArray(value)) {
      out.anyOf = value.map((branch) => toAjvSchema(branch as StructuralSchema));
    } else {
      out[key] = value;
    }
  }
  if (schema['x-kubernetes-int-or-string']) {
    // The pattern of an int-or-string only applies to its string form (ajv already ignores it for numbers).
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  return out;
}

function fieldPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (path, segment) =>
        /^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment,
      '',
    );
}

function valueAt(object: unknown, instancePath: string): unknown {
  let value = object;
  for (const segment of instancePath.split('/').slice(1)) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    value = Array.isArray(value) ? value[Number(key)] : isPlainObject(value) ? value[key] : undefined;
  }
  return value;
}

function goValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? 'null');
}

function describeAjvError(error: ErrorObject, object: unknown): StatusCause | undefined {
  const field = fieldPath(error.instancePath);
  const value = valueAt(object, error.instancePath);
  const params = error.params as Record<string, unknown>;
  const at = field || '<root>';
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      return {
        reason: 'FieldValueRequired',
        field: field ? `${field}.${missing}` : missing,
        message: 'Required value',
      };
    }
    case 'enum':
      return {
        reason: 'FieldValueNotSupported',
        field: at,
        message: `Unsupported value: ${goValue(value)}: supported values: ${(
          params.allowedValues as unknown[]
        )
          .map((allowed) => goValue(allowed))
          .join(', ')}`,
      };
    case 'maximum':
      return invalidValue(at, value, `should be less than or equal to ${String(params.limit)}`);
    case 'minimum':
      return invalidValue(at, value, `should be greater than or equal to ${String(params.limit)}`);
    case 'maxLength':
      return {
        reason: 'FieldValueTooLong',
        field: at,
        message: `Too long: may not be more than ${String(params.limit)} bytes`,
      };
    case 'minLength':
      return invalidValue(at, value, `should be at least ${String(params.limit)} chars long`);
    case 'pattern':
      return invalidValue(at, value, `should match '${String(params.pattern)}'`);
    case 'format':
      return invalidValue(at, value, `must be of type ${String(params.format)}: ${goValue(value)}`);
    case 'type':
      return {
        reason: 'FieldValueTypeInvalid',
        field: at,
        message: `Invalid value: "${jsonTypeName(value)}": ${at} in body must be of type ${String(params.type)}: "${jsonTypeName(value)}"`,
      };
    case 'maxItems':
      return {
        reason: 'FieldValueTooMany',
        field: at,
        message: `Too many: must have at most ${String(params.limit)} items`,
      };
    case 'minItems':
      return invalidValue(at, value, `should have at least ${String(params.limit)} items`);
    case 'maxProperties':
      return {
        reason: 'FieldValueTooMany',
        field: at,
        message: `Too many: must have at most ${String(params.limit)} items`,
      };
    case 'minProperties':
      return invalidValue(at, value, `should have at least ${String(params.limit)} properties`);
    case 'anyOf':
      return undefined; // the branch errors already say what is wrong
    default:
      return {
        reason: 'FieldValueInvalid',
        field: at,
        message: `Invalid value: ${goValue(value)}: ${error.message ?? ''}`,
      };
  }
}

/**
 * Items of a `set` list must be unique, and so must the keys of the items of a `map` list: a port of
 * apiextensions-apiserver pkg/apiserver/schema/listtype/validation.go (ValidateListSetsAndMaps),
 * which reports the second appearance of a value as `field.Duplicate` of the value, or of the key
 * fields for a map (`spec.env[1]: Duplicate value: map[string]interface {}{"name":"A"}`).
 */
function listTypeCauses(schema: StructuralSchema, value: unknown, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (Array.isArray(value)) {
    const listType = schema['x-kubernetes-list-type'];
    const keyFields = schema['x-kubernetes-list-map-keys'] ?? [];
    if (listType === 'set' || listType === 'map') {
      const keyOf = (item: unknown): unknown =>
        listType === 'set'
          ? item
          : Object.fromEntries(
              keyFields
                .filter((field) => isPlainObject(item) && item[field] !== undefined)
                .map((field) => [field, (item as Record<string, unknown>)[field]]),
            );
      // Only the second appearance of a value is reported, however often it repeats.
      const seen = new Map<string, number>();
      value.forEach((item, index) => {
        const key = keyOf(item);
        // Go compares compound values by their JSON, whose object keys are sorted: so is goSyntax's.
        const text = goSyntax(key);
        const times = (seen.get(text) ?? 0) + 1;
        seen.set(text, times);
        if (times === 2) {
          causes.push({
            reason: 'FieldValueDuplicate',
            field: `${path}[${index}]`,
            message: `Duplicate value: ${goErrorValue(key)}`,
          });
        }
      });
    }
    if (schema.items) {
      const items = schema.items;
      value.forEach((item, index) => causes.push(...listTypeCauses(items, item, `${path}[${index}]`)));
    }
  } else if (isPlainObject(value)) {
    for (const [name, child] of Object.entries(value)) {
      const childSchema = schema.properties?.[name] ?? schema.additionalProperties;
      if (childSchema) causes.push(...listTypeCauses(childSchema, child, path ? `${path}.${name}` : name));
    }
  }
  return causes;
}

/** A value as field.Error words it: strings quoted, numbers and booleans bare, the rest as Go's %#v. */
function goErrorValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return goSyntax(value);
}

function goSyntax(value: unknown): string {
  if (value === null || value === undefined) return 'interface {}(nil)';
  if (Array.isArray(value)) return `[]interface {}{${value.map(goSyntax).join(', ')}}`;
  if (isPlainObject(value)) {
    // fmt prints map keys sorted.
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${goSyntax(value[key])}`);
    return `map[string]interface {}{${entries.join(', ')}}`;
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function invalidValue(field: string, value: unknown, should: string): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    field,
    message: `Invalid value: ${goValue(value)}: ${field} in body ${should}`,
  };
}

function jsonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function celTypeName(value: unknown): string {
  return isPlainObject(value) ? 'object' : jsonTypeName(value);
}

/** CEL integers are 64-bit: give integer fields BigInt values so that int comparisons type-check. */
function toCel(value: unknown, schema: StructuralSchema | undefined): unknown {
  if (value === undefined || value === null) return value;
  if (schema?.type === 'integer' && typeof value === 'number' && Number.isInteger(value))
    return BigInt(value);
  if (schema?.['x-kubernetes-int-or-string'] && typeof value === 'number') return BigInt(value);
  if (Array.isArray(value)) return value.map((item) => toCel(item, schema?.items));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([name, child]) => [
        name,
        toCel(child, schema?.properties?.[name] ?? schema?.additionalProperties),
      ]),
    );
  }
  return value;
}

/** cel-js's first line, without its source excerpt, starting lower-case like cel-go's errors. */
export function celErrorText(error: unknown): string {
  const first = ((error as Error).message ?? String(error)).split('\n')[0].trim();
  return first.charAt(0).toLowerCase() + first.slice(1);
}

function dedupe(causes: StatusCause[]): StatusCause[] {
  const seen = new Set<string>();
  return causes.filter((cause) => {
    const key = `${cause.field}|${cause.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
