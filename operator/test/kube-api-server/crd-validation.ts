import { isDeepStrictEqual } from 'node:util';
import { parse as parseCel } from '@marcbachmann/cel-js';
import type { StructuralSchema } from '../../scripts/crds/structural-schema.ts';
import { pruneUnknownFields } from './structural-defaults.ts';
import { celErrorText, StructuralValidator } from './structural-validation.ts';
import type { StatusCause } from './types.ts';
import { isPlainObject } from './types.ts';

/**
 * The apiextensions-apiserver's static validation of a CustomResourceDefinition (apiextensions.k8s.io/v1),
 * ported from kubernetes/kubernetes staging/src/k8s.io/apiextensions-apiserver:
 * - pkg/apiserver/schema/validation.go: structural schema invariants (ValidateStructural), including
 *   the rule that root `metadata` may only restrict `name` and `generateName`;
 * - pkg/apiserver/schema/complete.go: every field a value validation names exists structurally;
 * - pkg/apiserver/schema/defaulting/validation.go: defaults are pruned, valid against their schema and
 *   pass the CEL rules of their node (without nested defaulting: `default: {}` must satisfy the rules);
 * - pkg/apis/apiextensions/validation/validation.go: OpenAPI keywords CRDs refuse, list/map types and
 *   the fields of `x-kubernetes-validations` rules.
 * Messages and field paths are worded as upstream's field.ErrorList, so a test can compare them with
 * upstream's own test expectations (see crd-validation.spec.ts).
 */

type Schema = Record<string, unknown>;
type Level = 'root' | 'item' | 'field';

export interface CrdLike {
  metadata?: { name?: string };
  spec?: {
    group?: string;
    names?: { plural?: string; kind?: string };
    versions?: Array<{
      name?: string;
      served?: boolean;
      storage?: boolean;
      subresources?: { status?: unknown };
      schema?: { openAPIV3Schema?: unknown };
    }>;
  };
}

/** Every problem the apiserver would report for this CRD; empty when it would accept it. */
export function validateCustomResourceDefinition(crd: CrdLike): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = crd.spec ?? {};
  const expectedName = `${spec.names?.plural ?? ''}.${spec.group ?? ''}`;
  if (crd.metadata?.name !== expectedName) {
    causes.push(
      invalid('metadata.name', crd.metadata?.name ?? '', `must be spec.names.plural+"."+spec.group`),
    );
  }
  const versions = spec.versions ?? [];
  if (versions.length === 0)
    causes.push(required('spec.versions', 'must have exactly one version marked as storage version'));
  else if (versions.filter((version) => version.storage).length !== 1) {
    causes.push(
      invalid(
        'spec.versions',
        versions.map((v) => v.name),
        'must have exactly one version marked as storage version',
      ),
    );
  }
  // apiextensions v1 → internal conversion hoists a schema that every version shares to
  // spec.validation, so that is where the apiserver reports its problems (as in issue 14's message).
  const schemas = versions.map((version) => version.schema?.openAPIV3Schema);
  const shared = schemas.length > 0 && schemas.every((schema) => isDeepStrictEqual(schema, schemas[0]));
  versions.forEach((version, index) => {
    if (shared && index > 0) return;
    const path = shared ? 'spec.validation' : `spec.versions[${index}].schema`;
    const schema = schemas[index];
    if (!isPlainObject(schema)) {
      causes.push(required(`${path}.openAPIV3Schema`, 'schemas are required'));
      return;
    }
    causes.push(...validateVersionSchema(schema, path, Boolean(version.subresources?.status)));
  });
  return causes;
}

/** The fields allowed at the root when the status subresource is on (validation.go allowedFieldsAtRootSchema). */
const ALLOWED_AT_ROOT_WITH_STATUS = new Set([
  'description',
  'type',
  'format',
  'title',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'required',
  'items',
  'properties',
  'externalDocs',
  'example',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-validations',
]);

function validateVersionSchema(schema: Schema, path: string, statusSubresource: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const root = `${path}.openAPIV3Schema`;
  if (statusSubresource) {
    for (const key of Object.keys(schema)) {
      if (key === 'type') {
        if (schema.type !== 'object') {
          causes.push(
            invalid(
              `${root}.type`,
              schema.type,
              'only "object" is allowed as the type at the root of the schema if the status subresource is enabled',
            ),
          );
        }
      } else if (!ALLOWED_AT_ROOT_WITH_STATUS.has(key)) {
        causes.push(
          invalid(
            root,
            key,
            `only ${[...ALLOWED_AT_ROOT_WITH_STATUS].join(', ')} fields are allowed at the root of the schema if the status subresource is enabled`,
          ),
        );
        break;
      }
    }
  }
  if (schema.nullable === true)
    causes.push(forbidden(`${root}.nullable`, 'nullable cannot be true at the root'));

  const structural = [
    ...structuralInvariants(schema, 'root', root),
    ...completeness(schema, schema, root, root),
  ];
  let celEnabled = false;
  if (structural.length > 0) causes.push(...sortedByText(structural));
  else {
    const defaults = validateDefaults(schema, root, true, false);
    causes.push(...defaults);
    celEnabled = defaults.length === 0;
  }
  const openApi = openApiSchemaChecks(
    schema,
    root,
    { allowDefaults: true, insideMeta: false },
    true,
    celEnabled,
  );
  causes.push(...openApi.schema, ...openApi.cel);
  return causes;
}

// ---------------------------------------------------------------------------------------------
// Structural invariants: pkg/apiserver/schema/validation.go and complete.go

function isIntOrStringPair(branches: unknown): boolean {
  return (
    Array.isArray(branches) &&
    branches.length === 2 &&
    isDeepStrictEqual(branches[0], { type: 'integer' }) &&
    isDeepStrictEqual(branches[1], { type: 'string' })
  );
}

function structuralInvariants(s: Schema, level: Level, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const properties = isPlainObject(s.properties) ? (s.properties as Record<string, Schema>) : {};
  const type = typeof s.type === 'string' ? s.type : '';
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = s['x-kubernetes-int-or-string'] === true;

  if (type === 'array' && s.items === undefined) causes.push(required(`${path}.items`, 'must be specified'));
  if (isPlainObject(s.items)) causes.push(...structuralInvariants(s.items, 'item', `${path}.items`));
  for (const [name, child] of Object.entries(properties)) {
    if (isPlainObject(child))
      causes.push(...structuralInvariants(child, 'field', `${path}.properties[${name}]`));
  }
  if (s.additionalProperties !== undefined) {
    if (level === 'root')
      causes.push(forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
    if (isPlainObject(s.additionalProperties)) {
      causes.push(...structuralInvariants(s.additionalProperties, 'field', `${path}.additionalProperties`));
    }
  }
  if (intOrString && preserve) {
    causes.push(
      invalid(
        `${path}.x-kubernetes-preserve-unknown-fields`,
        true,
        'must be false if x-kubernetes-int-or-string is true',
      ),
    );
  }
  if (intOrString && embedded) {
    causes.push(
      invalid(
        `${path}.x-kubernetes-embedded-resource`,
        true,
        'must be false if x-kubernetes-int-or-string is true',
      ),
    );
  }
  const allOf = Array.isArray(s.allOf) ? s.allOf : [];
  const skipAnyOf = isIntOrStringPair(s.anyOf);
  const skipFirstAllOfAnyOf = isPlainObject(allOf[0]) && isIntOrStringPair(allOf[0].anyOf);
  causes.push(...valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, level, path));

  const checkMetadata = level === 'root' || embedded;
  if (embedded && type !== 'object') {
    causes.push(
      type
        ? invalid(`${path}.type`, type, 'must be object if x-kubernetes-embedded-resource is true')
        : required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true'),
    );
  } else if (!type && !intOrString && !preserve) {
    const what = {
      root: 'must not be empty at the root',
      item: 'must not be empty for specified array items',
      field: 'must not be empty for specified object fields',
    }[level];
    causes.push(required(`${path}.type`, what));
  }
  if (embedded && s.additionalProperties !== undefined) {
    causes.push(
      forbidden(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'),
    );
  }
  if (level === 'root' && type && type !== 'object')
    causes.push(invalid(`${path}.type`, type, 'must be object at the root'));
  for (const meta of ['kind', 'apiVersion']) {
    const child = properties[meta];
    if (checkMetadata && isPlainObject(child) && child.type !== 'string') {
      causes.push(invalid(`${path}.properties[${meta}].type`, child.type ?? '', 'must be string'));
    }
  }
  if (isPlainObject(properties.metadata)) {
    causes.push(
      ...metadataInvariants(properties.metadata, checkMetadata, level, `${path}.properties[metadata]`),
    );
  }
  if (embedded && !preserve && Object.keys(properties).length === 0) {
    causes.push(
      required(
        `${path}.properties`,
        'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
      ),
    );
  }
  return causes;
}

/**
 * validateStructuralMetadataInvariants: root metadata may say `type: object` and restrict `name`
 * and/or `generateName`; anything else (a description included) is refused, because the apiserver
 * owns ObjectMeta's schema.
 */
function metadataInvariants(s: Schema, checkMetadata: boolean, level: Level, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (checkMetadata && s.type !== 'object')
    causes.push(invalid(`${path}.type`, s.type ?? '', 'must be object'));
  if (level === 'root') {
    const rest: Schema = { ...s };
    delete rest.type;
    delete rest.default; // checked by the OpenAPI checks (defaults are forbidden in top-level metadata)
    const names = isPlainObject(rest.properties) ? Object.keys(rest.properties) : [];
    const onlyNames =
      names.length > 0 &&
      names.length <= 2 &&
      names.every((name) => name === 'name' || name === 'generateName');
    if (onlyNames) delete rest.properties;
    if (Object.keys(rest).length > 0) {
      causes.push(
        forbidden(
          path,
          'must not specify anything other than name and generateName, but metadata is implicitly specified',
        ),
      );
    }
  }
  return causes;
}

function valueValidation(
  s: Schema,
  skipAnyOf: boolean,
  skipFirstAllOfAnyOf: boolean,
  level: Level,
  path: string,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const list = (key: string) => (Array.isArray(s[key]) ? (s[key] as unknown[]) : []);
  if (!skipAnyOf)
    list('anyOf').forEach((v, i) =>
      causes.push(...nestedValueValidation(v, false, level, `${path}.anyOf[${i}]`)),
    );
  list('allOf').forEach((v, i) =>
    causes.push(...nestedValueValidation(v, skipFirstAllOfAnyOf && i === 0, level, `${path}.allOf[${i}]`)),
  );
  list('oneOf').forEach((v, i) =>
    causes.push(...nestedValueValidation(v, false, level, `${path}.oneOf[${i}]`)),
  );
  if (s.not !== undefined) causes.push(...nestedValueValidation(s.not, false, level, `${path}.not`));
  if (typeof s.pattern === 'string') {
    try {
      new RegExp(s.pattern, 'u');
    } catch (error) {
      causes.push(
        invalid(
          `${path}.pattern`,
          s.pattern,
          `must be a valid regular expression, but isn't: ${(error as Error).message}`,
        ),
      );
    }
  }
  return causes;
}

const NESTED_FORBIDDEN: Array<[string, (value: unknown) => boolean, string]> = [
  ['type', (v) => typeof v === 'string' && v !== '', 'must be empty to be structural'],
  ['additionalProperties', (v) => v !== undefined, 'must be undefined to be structural'],
  ['default', (v) => v !== undefined, 'must be undefined to be structural'],
  ['title', (v) => typeof v === 'string' && v !== '', 'must be empty to be structural'],
  ['description', (v) => typeof v === 'string' && v !== '', 'must be empty to be structural'],
  ['nullable', (v) => v === true, 'must be false to be structural'],
  ['externalDocs', (v) => v !== undefined, 'must be undefined to be structural'],
  ['x-kubernetes-preserve-unknown-fields', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-embedded-resource', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-int-or-string', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-list-map-keys', (v) => Array.isArray(v) && v.length > 0, 'must be empty to be structural'],
  ['x-kubernetes-list-type', (v) => v !== undefined, 'must be undefined to be structural'],
  ['x-kubernetes-map-type', (v) => v !== undefined, 'must be undefined to be structural'],
  ['x-kubernetes-validations', (v) => Array.isArray(v) && v.length > 0, 'must be empty to be structural'],
];

function nestedValueValidation(v: unknown, skipAnyOf: boolean, level: Level, path: string): StatusCause[] {
  if (!isPlainObject(v)) return [];
  const causes = valueValidation(v, skipAnyOf, false, level, path);
  if (isPlainObject(v.items)) causes.push(...nestedValueValidation(v.items, false, level, `${path}.items`));
  const properties = isPlainObject(v.properties) ? v.properties : {};
  for (const [name, child] of Object.entries(properties)) {
    causes.push(...nestedValueValidation(child, false, 'field', `${path}.properties[${name}]`));
  }
  for (const [key, present, message] of NESTED_FORBIDDEN) {
    if (present(v[key])) causes.push(forbidden(`${path}.${key}`, message));
  }
  if (isPlainObject(v.additionalProperties)) {
    causes.push(
      ...nestedValueValidation(v.additionalProperties, false, level, `${path}.additionalProperties`),
    );
  }
  if ('metadata' in properties) {
    causes.push(forbidden(`${path}.properties[metadata]`, 'must not be specified in a nested context'));
  }
  return causes;
}

/**
 * complete.go: a field or array that a junctor (allOf, anyOf, oneOf, not) names must also exist in the
 * structural part of the schema, at the same place.
 */
function completeness(v: Schema, s: Schema, sPath: string, vPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (v.not !== undefined) causes.push(...nestedCompleteness(v.not, s, sPath, `${vPath}.not`));
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = Array.isArray(v[key]) ? (v[key] as unknown[]) : [];
    list.forEach((child, i) => causes.push(...nestedCompleteness(child, s, sPath, `${vPath}.${key}[${i}]`)));
  }
  return causes;
}

function nestedCompleteness(v: unknown, s: Schema | undefined, sPath: string, vPath: string): StatusCause[] {
  if (!isPlainObject(v)) return [];
  if (!s) return [required(sPath, `because it is defined in ${vPath}`)];
  const causes = completeness(v, s, sPath, vPath);
  if (v.items !== undefined) {
    const items = isPlainObject(s.items) ? s.items : undefined;
    causes.push(...nestedCompleteness(v.items, items, `${sPath}.items`, `${vPath}.items`));
  }
  const sProperties = isPlainObject(s.properties) ? s.properties : {};
  for (const [name, child] of Object.entries(isPlainObject(v.properties) ? v.properties : {})) {
    const structural = sProperties[name];
    causes.push(
      ...(isPlainObject(structural)
        ? nestedCompleteness(
            child,
            structural,
            `${sPath}.properties[${name}]`,
            `${vPath}.properties[${name}]`,
          )
        : [
            required(`${sPath}.properties[${name}]`, `because it is defined in ${vPath}.properties[${name}]`),
          ]),
    );
  }
  return causes;
}

// ---------------------------------------------------------------------------------------------
// Defaults: pkg/apiserver/schema/defaulting/validation.go

function validateDefaults(
  s: Schema,
  path: string,
  resourceRoot: boolean,
  insideMeta: boolean,
): StatusCause[] {
  const causes: StatusCause[] = [];
  if (s.default !== undefined && !insideMeta) {
    const schema = s as StructuralSchema;
    const pruned = structuredClone(s.default);
    pruneUnknownFields(pruned, schema);
    if (!isDeepStrictEqual(pruned, s.default)) {
      causes.push(invalid(`${path}.default`, s.default, 'must not have unknown fields'));
    }
    const validator = new StructuralValidator(schema);
    const prefix = (field: string | undefined) =>
      !field || field === '<root>' ? `${path}.default` : `${path}.default.${field}`;
    const schemaCauses = validator.schemaCauses(s.default);
    if (schemaCauses.length > 0) {
      causes.push(...schemaCauses.map((cause) => ({ ...cause, field: prefix(cause.field) })));
    } else {
      // The default is both self and oldSelf, as upstream's celValidator.Validate(default, default).
      const ruleCauses = validator.ruleCauses(s.default, s.default);
      causes.push(...ruleCauses.map((cause) => ({ ...cause, field: prefix(cause.field) })));
    }
  }
  // Defaults are forbidden under additionalProperties, so only items and properties are followed.
  if (isPlainObject(s.items)) causes.push(...validateDefaults(s.items, `${path}.items`, false, insideMeta));
  const properties = isPlainObject(s.properties) ? s.properties : {};
  for (const [name, child] of Object.entries(properties)) {
    if (!isPlainObject(child)) continue;
    const meta = insideMeta || (resourceRoot && ['metadata', 'apiVersion', 'kind'].includes(name));
    causes.push(...validateDefaults(child, `${path}.properties[${name}]`, false, meta));
  }
  return causes;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI checks: ValidateCustomResourceDefinitionOpenAPISchema and specStandardValidatorV3

interface OpenApiContext {
  allowDefaults: boolean;
  disallowDefaultsReason?: string;
  insideMeta: boolean;
  /** The path of the list or map above whose items cannot be correlated with their old values. */
  uncorrelatable?: string;
}

const OPENAPI_TYPES = new Set(['array', 'boolean', 'integer', 'number', 'object', 'string']);
const SUPPORTED_REASONS = [
  'FieldValueDuplicate',
  'FieldValueForbidden',
  'FieldValueInvalid',
  'FieldValueRequired',
];
const NEWLINE = /[\n\r]+/;

interface OpenApiCauses {
  schema: StatusCause[];
  cel: StatusCause[];
}

function openApiSchemaChecks(
  s: unknown,
  path: string,
  context: OpenApiContext,
  isRoot: boolean,
  celEnabled: boolean,
): OpenApiCauses {
  const out: OpenApiCauses = { schema: [], cel: [] };
  if (!isPlainObject(s)) return out;
  const merge = (other: OpenApiCauses) => {
    out.schema.push(...other.schema);
    out.cel.push(...other.cel);
  };
  out.schema.push(...standardChecks(s, path, context));
  if (s.uniqueItems === true) {
    out.schema.push(
      forbidden(
        `${path}.uniqueItems`,
        'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
      ),
    );
  }
  const properties = isPlainObject(s.properties) ? s.properties : {};
  if (s.additionalProperties !== undefined) {
    if (
      Object.keys(properties).length > 0 &&
      (s.additionalProperties === false || isPlainObject(s.additionalProperties))
    ) {
      out.schema.push(
        forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'),
      );
    }
    const sub = context.insideMeta
      ? {
          ...context,
          allowDefaults: false,
          disallowDefaultsReason: 'inside additionalProperties applying to object metadata',
        }
      : context;
    merge(
      openApiSchemaChecks(s.additionalProperties, `${path}.additionalProperties`, sub, false, celEnabled),
    );
  }
  const mapCorrelatable = s['x-kubernetes-map-type'] !== 'atomic';
  for (const [name, child] of Object.entries(properties)) {
    let sub: OpenApiContext = context;
    if (!mapCorrelatable && !sub.uncorrelatable) sub = { ...sub, uncorrelatable: path };
    if (
      (isRoot || s['x-kubernetes-embedded-resource'] === true) &&
      ['metadata', 'kind', 'apiVersion'].includes(name)
    ) {
      sub = { ...sub, insideMeta: true };
      if (isRoot) sub = { ...sub, allowDefaults: false, disallowDefaultsReason: `in top-level ${name}` };
    }
    merge(openApiSchemaChecks(child, `${path}.properties[${name}]`, sub, false, celEnabled));
  }
  if (s.not !== undefined) merge(openApiSchemaChecks(s.not, `${path}.not`, context, false, false));
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    const list = Array.isArray(s[key]) ? (s[key] as unknown[]) : [];
    list.forEach((child, i) =>
      merge(openApiSchemaChecks(child, `${path}.${key}[${i}]`, context, false, false)),
    );
  }
  if (s.items !== undefined) {
    const sub =
      s['x-kubernetes-list-type'] === 'map' || context.uncorrelatable
        ? context
        : { ...context, uncorrelatable: path };
    if (Array.isArray(s.items)) {
      s.items.forEach((child, i) =>
        merge(openApiSchemaChecks(child, `${path}.items[${i}]`, sub, false, celEnabled)),
      );
    } else merge(openApiSchemaChecks(s.items, `${path}.items`, sub, false, celEnabled));
  }
  out.schema.push(...extensionChecks(s, path));
  const ruleCauses = ruleChecks(s, path);
  out.schema.push(...ruleCauses);
  // CEL is compiled only where the schema is otherwise valid, as upstream does.
  if (celEnabled && ruleCauses.length === 0 && out.schema.length === 0)
    out.cel.push(...compileRules(s, path, context));
  return out;
}

function standardChecks(s: Schema, path: string, context: OpenApiContext): StatusCause[] {
  const causes: StatusCause[] = [];
  if (typeof s.type === 'string' && s.type !== '' && !OPENAPI_TYPES.has(s.type) && s.type !== 'null') {
    causes.push(notSupported(`${path}.type`, s.type, [...OPENAPI_TYPES]));
  }
  if (s.default !== undefined && !context.allowDefaults) {
    causes.push(
      forbidden(
        `${path}.default`,
        `must not be set${context.disallowDefaultsReason ? ` ${context.disallowDefaultsReason}` : ''}`,
      ),
    );
  }
  if (typeof s.id === 'string' && s.id !== '') causes.push(forbidden(`${path}.id`, 'id is not supported'));
  if (s.additionalItems !== undefined)
    causes.push(forbidden(`${path}.additionalItems`, 'additionalItems is not supported'));
  if (isPlainObject(s.patternProperties) && Object.keys(s.patternProperties).length > 0) {
    causes.push(forbidden(`${path}.patternProperties`, 'patternProperties is not supported'));
  }
  if (isPlainObject(s.definitions) && Object.keys(s.definitions).length > 0) {
    causes.push(forbidden(`${path}.definitions`, 'definitions is not supported'));
  }
  if (s.dependencies !== undefined)
    causes.push(forbidden(`${path}.dependencies`, 'dependencies is not supported'));
  if (s.$ref !== undefined) causes.push(forbidden(`${path}.$ref`, '$ref is not supported'));
  if (s.type === 'null')
    causes.push(forbidden(`${path}.type`, 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(s.items))
    causes.push(forbidden(`${path}.items`, 'items must be a schema object and not an array'));
  if (context.insideMeta && s['x-kubernetes-embedded-resource'] === true) {
    causes.push(
      forbidden(`${path}.x-kubernetes-embedded-resource`, 'must not be used inside of resource meta'),
    );
  }
  return causes;
}

function extensionChecks(s: Schema, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const listType = s['x-kubernetes-list-type'];
  const mapType = s['x-kubernetes-map-type'];
  const keys = Array.isArray(s['x-kubernetes-list-map-keys'])
    ? (s['x-kubernetes-list-map-keys'] as string[])
    : [];
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    causes.push(invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  }
  if (mapType !== undefined && s.type !== 'object') {
    causes.push(
      s.type
        ? invalid(`${path}.type`, s.type, 'must be object if x-kubernetes-map-type is specified')
        : required(`${path}.type`, 'must be object if x-kubernetes-map-type is specified'),
    );
  }
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') {
    causes.push(notSupported(`${path}.x-kubernetes-map-type`, mapType, ['atomic', 'granular']));
  }
  if (listType !== undefined && s.type !== 'array') {
    causes.push(
      s.type
        ? invalid(`${path}.type`, s.type, 'must be array if x-kubernetes-list-type is specified')
        : required(`${path}.type`, 'must be array if x-kubernetes-list-type is specified'),
    );
  }
  if (listType !== undefined && !['atomic', 'set', 'map'].includes(String(listType))) {
    causes.push(notSupported(`${path}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
  }
  if (keys.length > 0) {
    if (listType === undefined)
      causes.push(
        required(`${path}.x-kubernetes-list-type`, 'must be map if x-kubernetes-list-map-keys is non-empty'),
      );
    else if (listType !== 'map')
      causes.push(
        invalid(
          `${path}.x-kubernetes-list-type`,
          listType,
          'must be map if x-kubernetes-list-map-keys is non-empty',
        ),
      );
  }
  if (listType === 'map') {
    if (keys.length === 0)
      causes.push(
        required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'),
      );
    if (s.items === undefined)
      causes.push(required(`${path}.items`, 'must have a schema if x-kubernetes-list-type is map'));
    const items = isPlainObject(s.items) ? s.items : undefined;
    if (items && items.type !== 'object') {
      causes.push(
        invalid(
          `${path}.items.type`,
          items.type,
          "must be object if parent array's x-kubernetes-list-type is map",
        ),
      );
    }
    if (items?.type === 'object') {
      const itemProperties = isPlainObject(items.properties) ? items.properties : {};
      const seen = new Set<string>();
      for (const key of keys) {
        const keySchema = itemProperties[key];
        if (!isPlainObject(keySchema)) {
          causes.push(
            invalid(
              `${path}.x-kubernetes-list-map-keys`,
              keys,
              'entries must all be names of item properties',
            ),
          );
        } else if (keySchema.type === 'array' || keySchema.type === 'object') {
          causes.push(
            invalid(
              `${path}.items.properties[${key}].type`,
              items.type,
              "must be a scalar type if parent array's x-kubernetes-list-type is map",
            ),
          );
        }
        if (seen.has(key))
          causes.push(
            invalid(`${path}.x-kubernetes-list-map-keys`, keys, 'must not contain duplicate entries'),
          );
        seen.add(key);
        const requiredKeys = Array.isArray(items.required) ? items.required : [];
        if (isPlainObject(keySchema) && !requiredKeys.includes(key) && keySchema.default === undefined) {
          causes.push(
            required(
              `${path}.items.properties[${key}].default`,
              'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
            ),
          );
        }
      }
    }
  }
  return causes;
}

/** The fields of each `x-kubernetes-validations` rule (validation.go, the XValidations loop). */
function ruleChecks(s: Schema, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const rules = Array.isArray(s['x-kubernetes-validations'])
    ? (s['x-kubernetes-validations'] as unknown[])
    : [];
  rules.forEach((raw, i) => {
    const rule = isPlainObject(raw) ? raw : {};
    const at = `${path}.x-kubernetes-validations[${i}]`;
    const text = typeof rule.rule === 'string' ? rule.rule : '';
    const message = typeof rule.message === 'string' ? rule.message : '';
    if (!text.trim()) causes.push(required(`${at}.rule`, 'rule is not specified'));
    else if (message.length > 0 && !message.trim())
      causes.push(invalid(`${at}.message`, message, 'message must be non-empty if specified'));
    else if (NEWLINE.test(message.trim()))
      causes.push(invalid(`${at}.message`, message, 'message must not contain line breaks'));
    else if (NEWLINE.test(text.trim()) && !message.trim())
      causes.push(required(`${at}.message`, 'message must be specified if rule contains line breaks'));
    if (
      typeof rule.messageExpression === 'string' &&
      rule.messageExpression.length > 0 &&
      !rule.messageExpression.trim()
    ) {
      causes.push(required(`${at}.messageExpression`, 'messageExpression must be non-empty if specified'));
    }
    if (rule.reason !== undefined && !SUPPORTED_REASONS.includes(String(rule.reason))) {
      causes.push(notSupported(`${at}.reason`, rule.reason, SUPPORTED_REASONS));
    }
    const fieldPath = typeof rule.fieldPath === 'string' ? rule.fieldPath : '';
    if (fieldPath.length > 0 && !fieldPath.trim())
      causes.push(invalid(`${at}.fieldPath`, fieldPath, 'fieldPath must be non-empty if specified'));
    if (NEWLINE.test(fieldPath))
      causes.push(invalid(`${at}.fieldPath`, fieldPath, 'fieldPath must not contain line breaks'));
    if (fieldPath.trim() && !validFieldPath(fieldPath, s))
      causes.push(invalid(`${at}.fieldPath`, fieldPath, 'fieldPath must be a valid path'));
  });
  return causes;
}

/** cel.ValidFieldPath, for the dotted and ['quoted'] forms: every step must name a field of the schema. */
function validFieldPath(fieldPath: string, schema: Schema): boolean {
  const steps = fieldPath.match(/\.[A-Za-z_][A-Za-z0-9_]*|\['(?:[^'\\]|\\.)*'\]/g);
  if (!steps || steps.join('') !== fieldPath) return false;
  let node: Schema | undefined = schema;
  for (const step of steps) {
    const name = step.startsWith('.') ? step.slice(1) : step.slice(2, -2).replace(/\\(.)/g, '$1');
    if (!node) return false;
    const properties: Record<string, unknown> = isPlainObject(node.properties) ? node.properties : {};
    const next: unknown =
      properties[name] ?? (isPlainObject(node.additionalProperties) ? node.additionalProperties : undefined);
    node = isPlainObject(next) ? next : undefined;
    if (!node) return false;
  }
  return true;
}

function compileRules(s: Schema, path: string, context: OpenApiContext): StatusCause[] {
  const causes: StatusCause[] = [];
  const rules = Array.isArray(s['x-kubernetes-validations'])
    ? (s['x-kubernetes-validations'] as Schema[])
    : [];
  rules.forEach((rule, i) => {
    const at = `${path}.x-kubernetes-validations[${i}]`;
    const text = String(rule.rule ?? '');
    try {
      parseCel(text);
    } catch (error) {
      causes.push(invalid(`${at}.rule`, text, `compilation failed: ${celErrorText(error)}`));
      return;
    }
    if (/\boldSelf\b/.test(text) && context.uncorrelatable) {
      causes.push(
        invalid(
          `${at}.rule`,
          text,
          `oldSelf cannot be used on the uncorrelatable portion of the schema within ${context.uncorrelatable}`,
        ),
      );
    }
  });
  return causes;
}

// ---------------------------------------------------------------------------------------------
// field.Error wording

function goValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? 'null';
}

function required(field: string, detail: string): StatusCause {
  return {
    reason: 'FieldValueRequired',
    field,
    message: detail ? `Required value: ${detail}` : 'Required value',
  };
}

function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
}

function invalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${goValue(value)}: ${detail}` };
}

function notSupported(field: string, value: unknown, supported: string[]): StatusCause {
  return {
    reason: 'FieldValueNotSupported',
    field,
    message: `Unsupported value: ${goValue(value)}: supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}`,
  };
}

function sortedByText(causes: StatusCause[]): StatusCause[] {
  const text = (cause: StatusCause) => `${cause.field ?? ''}: ${cause.message}`;
  return [...causes].sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

/** `field: message` lines, as `kubectl` prints a 422's causes. */
export function describeCauses(causes: StatusCause[]): string[] {
  return causes.map((cause) => (cause.field ? `${cause.field}: ${cause.message}` : cause.message));
}
