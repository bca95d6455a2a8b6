import { randomUUID } from 'node:crypto';
import { badRequest } from './api-error.ts';
import { validateCustomResourceDefinition } from './crd-validation.ts';
import { BuiltinSchemas } from './kubernetes-api/builtin-schema.ts';
import { groupVersion } from './resource-type.ts';
import { pruneUnknownFields, applyDefaults } from './structural-defaults.ts';
import { StructuralValidator } from './structural-validation.ts';
import type { ResourceType } from './resource-type.ts';
import type { KubeObject, StatusCause } from './types.ts';
import { isPlainObject } from './types.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GENERATED_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** Read once per process: every server instance holds built-in kinds to the same minimum version. */
const BUILTINS = BuiltinSchemas.minimum();

/** The apiserver's rules for metadata and, for custom resources, the CRD schema. */
export class ObjectRules {
  private readonly validators = new WeakMap<ResourceType, StructuralValidator>();
  /** By schema text: a CRD's status update (Established) re-registers its kinds with the same schema. */
  private readonly bySchema = new Map<string, StructuralValidator>();

  /**
   * Defaults and prunes a custom resource, or decodes a built-in object against the minimum
   * Kubernetes version's schema (a value of the wrong type is a 400, as the apiserver's decoder
   * answers); returns the unknown fields it dropped.
   */
  normalize(type: ResourceType, object: KubeObject): string[] {
    if (!type.schema) {
      const check = BUILTINS.check(groupVersion(type), type.kind, object, true);
      if (check.typeErrors.length > 0) {
        throw badRequest(
          `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${check.typeErrors[0]}`,
        );
      }
      return check.unknown;
    }
    // A shallow copy without metadata: nested unknown fields are pruned in place, top-level ones below.
    const unknown = pruneUnknownFields(
      Object.fromEntries(Object.entries(object).filter(([key]) => key !== 'metadata')),
      type.schema,
    );
    for (const key of Object.keys(object)) {
      if (key !== 'metadata' && key !== 'apiVersion' && key !== 'kind' && !type.schema.properties?.[key])
        delete object[key];
    }
    applyDefaults(object, type.schema);
    return unknown;
  }

  /**
   * Compiles a custom resource's schema validator now, as the apiserver does when a CRD becomes
   * established: compiling on the first write stalls every request behind it for a few hundred ms.
   */
  prepare(type: ResourceType): void {
    this.validatorFor(type);
  }

  validate(type: ResourceType, object: KubeObject, previous?: KubeObject): StatusCause[] {
    const causes = validateMetadata(type, object);
    if (!type.schema) causes.push(...BUILTINS.check(groupVersion(type), type.kind, object, false).causes);
    if (type.kind === 'Event' && (type.group === '' || type.group === 'events.k8s.io')) {
      causes.push(...validateEventNamespace(type, object));
    }
    if (type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition') {
      causes.push(...validateCustomResourceDefinition(object));
    }
    const validator = this.validatorFor(type);
    if (validator) {
      const { metadata: _metadata, ...content } = object;
      const old = previous ? (({ metadata: _m, ...rest }) => rest)(previous) : undefined;
      causes.push(...validator.validate(content, old));
    }
    return causes;
  }

  /**
   * What structured-merge-diff cannot type in a server-side apply configuration: fields the schema
   * does not declare, or values of the wrong type. The apiserver fails such an apply whatever the
   * fieldValidation, with a 500 (`failed to create typed patch object`).
   */
  untypedFields(type: ResourceType, config: KubeObject): string[] {
    if (type.schema) {
      const { metadata: _metadata, ...content } = structuredClone(config);
      return pruneUnknownFields(content, type.schema).map((path) => `.${path}: field not declared in schema`);
    }
    const check = BUILTINS.check(groupVersion(type), type.kind, config, false);
    return [
      ...check.unknownTyped.map((path) => `${path}: field not declared in schema`),
      ...check.typeErrors,
    ];
  }

  private validatorFor(type: ResourceType): StructuralValidator | undefined {
    if (!type.schema) return undefined;
    let validator = this.validators.get(type);
    if (!validator) {
      const text = JSON.stringify(type.schema);
      validator = this.bySchema.get(text) ?? new StructuralValidator(type.schema);
      this.bySchema.set(text, validator);
      this.validators.set(type, validator);
    }
    return validator;
  }
}

function validateMetadata(type: ResourceType, object: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = object.metadata.name ?? '';
  const pattern = type.kind === 'Namespace' ? DNS_LABEL : DNS_SUBDOMAIN;
  if (!name) {
    causes.push({
      reason: 'FieldValueRequired',
      field: 'metadata.name',
      message: 'Required value: name or generateName is required',
    });
  } else if (!pattern.test(name) || name.length > (type.kind === 'Namespace' ? 63 : 253)) {
    const what = type.kind === 'Namespace' ? 'a lowercase RFC 1123 label' : 'a lowercase RFC 1123 subdomain';
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${name}": ${what} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    });
  }
  for (const [field, map] of [
    ['metadata.labels', object.metadata.labels],
    ['metadata.annotations', object.metadata.annotations],
  ] as const) {
    if (map === undefined) continue;
    if (!isPlainObject(map) || Object.values(map).some((value) => typeof value !== 'string')) {
      causes.push({ reason: 'FieldValueInvalid', field, message: 'Invalid value: values must be strings' });
    }
  }
  return causes;
}

/**
 * Where an Event may live, as kube-apiserver's legacyValidateEvent has it
 * (pkg/apis/core/validation/events.go, run for core/v1 and events.k8s.io/v1 alike): an Event about
 * a namespaced object lives in that object's namespace; one about a cluster-scoped object (a
 * Namespace, a Node) lives in `default` (or `kube-system`) when it has an eventTime, and in
 * `default` or no namespace when it is an old-style Event without one.
 */
function validateEventNamespace(type: ResourceType, object: KubeObject): StatusCause[] {
  const about = (type.group === 'events.k8s.io' ? object.regarding : object.involvedObject) as
    { namespace?: string } | undefined;
  const aboutNamespace = about?.namespace ?? '';
  const namespace = object.metadata.namespace ?? '';
  const allowed =
    aboutNamespace !== ''
      ? object.eventTime !== undefined && object.eventTime !== null
        ? true
        : namespace === aboutNamespace
      : object.eventTime !== undefined && object.eventTime !== null
        ? namespace === 'default' || namespace === 'kube-system'
        : namespace === '' || namespace === 'default';
  if (allowed) return [];
  return [
    {
      reason: 'FieldValueInvalid',
      field: 'involvedObject.namespace',
      message: `Invalid value: "${aboutNamespace}": does not match event.namespace`,
    },
  ];
}

export function generateName(prefix: string): string {
  let suffix = '';
  for (let index = 0; index < 5; index += 1) {
    suffix += GENERATED_NAME_ALPHABET[Math.floor(Math.random() * GENERATED_NAME_ALPHABET.length)];
  }
  return `${prefix}${suffix}`;
}

export function newUid(): string {
  return randomUUID();
}

/** The part of an object whose changes bump metadata.generation: everything but metadata and status. */
export function specOf(object: KubeObject): string {
  const { metadata: _metadata, status: _status, apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return stableJson(rest);
}

export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, child: unknown) =>
    isPlainObject(child)
      ? Object.fromEntries(Object.entries(child).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : child,
  );
}
