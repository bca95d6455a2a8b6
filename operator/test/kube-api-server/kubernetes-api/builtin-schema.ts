import { readFileSync } from 'node:fs';
import type { ApiSchema, FieldSchema } from '../../../scripts/kubernetes/import-api-schema.ts';
import type { StatusCause } from '../types.ts';
import { isPlainObject } from '../types.ts';

/**
 * The oldest Kubernetes release CineWeave supports: the chart's `kubeVersion`, the CRDs and every
 * object the chart or the operator sends must work there. One owner for the fact; tests hold
 * Chart.yaml, docs/deployment.md and the test API server's /version to it.
 */
export const MINIMUM_KUBERNETES_VERSION = { major: 1, minor: 29 } as const;
export const MINIMUM_KUBERNETES = `${MINIMUM_KUBERNETES_VERSION.major}.${MINIMUM_KUBERNETES_VERSION.minor}`;

/**
 * Fields that exist in the minimum version's API but sit behind a feature gate that is off by
 * default there: the apiserver drops them on write (pkg/api/pod/util.go dropDisabledFields and
 * friends), so an object that relies on one silently loses it. Stages from kubernetes/website
 * content/en/docs/reference/command-line-tools-reference/feature-gates/<gate>.md.
 */
export const GATED_FIELDS: ReadonlyArray<{ definition: string; field: string; gate: string; stage: string }> =
  [
    {
      definition: 'io.k8s.api.core.v1.LifecycleHandler',
      field: 'sleep',
      gate: 'PodLifecycleSleepAction',
      stage: 'alpha in 1.29, beta (on) from 1.30',
    },
    {
      definition: 'io.k8s.api.core.v1.PodSpec',
      field: 'hostUsers',
      gate: 'UserNamespacesSupport',
      stage: 'alpha in 1.29',
    },
    {
      definition: 'io.k8s.api.core.v1.PodSpec',
      field: 'resourceClaims',
      gate: 'DynamicResourceAllocation',
      stage: 'alpha in 1.29',
    },
    {
      definition: 'io.k8s.api.core.v1.ResourceRequirements',
      field: 'claims',
      gate: 'DynamicResourceAllocation',
      stage: 'alpha in 1.29',
    },
    {
      definition: 'io.k8s.api.core.v1.Container',
      field: 'resizePolicy',
      gate: 'InPlacePodVerticalScaling',
      stage: 'alpha in 1.29',
    },
    {
      definition: 'io.k8s.api.core.v1.PodAffinityTerm',
      field: 'matchLabelKeys',
      gate: 'MatchLabelKeysInPodAffinity',
      stage: 'alpha in 1.29',
    },
    {
      definition: 'io.k8s.api.core.v1.PodAffinityTerm',
      field: 'mismatchLabelKeys',
      gate: 'MatchLabelKeysInPodAffinity',
      stage: 'alpha in 1.29',
    },
    {
      definition: 'io.k8s.api.core.v1.PersistentVolumeClaimSpec',
      field: 'volumeAttributesClassName',
      gate: 'VolumeAttributesClass',
      stage: 'alpha in 1.29',
    },
    {
      definition: 'io.k8s.api.core.v1.LoadBalancerIngress',
      field: 'ipMode',
      gate: 'LoadBalancerIPMode',
      stage: 'alpha in 1.29',
    },
    {
      definition: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule',
      field: 'optionalOldSelf',
      gate: 'CRDValidationRatcheting',
      stage: 'alpha in 1.29, beta (on) from 1.30',
    },
  ];

export interface SchemaCheck {
  /** Fields the version does not know, as strict decoding names them (`spec.template.spec.foo`). */
  unknown: string[];
  /** The same fields as structured-merge-diff names them (`.spec.containers[name="worker"].foo`). */
  unknownTyped: string[];
  /** JSON values of the wrong type: the request cannot be decoded (400). */
  typeErrors: string[];
  /** Missing required fields and fields behind a gate that is off (422). */
  causes: StatusCause[];
}

/** Merge keys of associative lists, as structured-merge-diff names their items. */
const LIST_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  conditions: 'type',
  ownerReferences: 'uid',
};

/** The vendored OpenAPI of the minimum version, and the checks a decoder of that version makes. */
export class BuiltinSchemas {
  readonly schema: ApiSchema;
  private readonly gated = new Map<string, (typeof GATED_FIELDS)[number]>();

  constructor(schema: ApiSchema) {
    this.schema = schema;
    for (const entry of GATED_FIELDS) this.gated.set(`${entry.definition}.${entry.field}`, entry);
  }

  static minimum(): BuiltinSchemas {
    const file = new URL(`./kubernetes-${MINIMUM_KUBERNETES}.json`, import.meta.url);
    return new BuiltinSchemas(JSON.parse(readFileSync(file, 'utf8')) as ApiSchema);
  }

  knows(apiVersion: string, kind: string): boolean {
    return `${apiVersion}/${kind}` in this.schema.kinds;
  }

  /** Checks an object of a built-in kind; with `prune`, unknown fields are removed in place. */
  check(apiVersion: string, kind: string, object: unknown, prune: boolean): SchemaCheck {
    const result: SchemaCheck = { unknown: [], unknownTyped: [], typeErrors: [], causes: [] };
    const definition = this.schema.kinds[`${apiVersion}/${kind}`];
    if (!definition) return result;
    this.walk(object, { $ref: definition }, '', '', prune, result);
    return result;
  }

  private walk(
    value: unknown,
    schema: FieldSchema,
    path: string,
    typedPath: string,
    prune: boolean,
    result: SchemaCheck,
  ): void {
    // JSON null decodes to the zero value of any Go field.
    if (value === null || value === undefined) return;
    if ('anyOf' in schema) {
      const fits = schema.anyOf.find((branch) => {
        const trial: SchemaCheck = { unknown: [], unknownTyped: [], typeErrors: [], causes: [] };
        this.walk(structuredClone(value), branch, path, typedPath, false, trial);
        return trial.typeErrors.length === 0;
      });
      if (fits) this.walk(value, fits, path, typedPath, prune, result);
      else result.typeErrors.push(typeError(value, path, 'one of its forms'));
      return;
    }
    if ('$ref' in schema) {
      const definition = this.schema.definitions[schema.$ref];
      if (!isPlainObject(value)) {
        result.typeErrors.push(typeError(value, path, `struct ${shortName(schema.$ref)}`));
        return;
      }
      for (const key of Object.keys(value)) {
        const fieldPath = path ? `${path}.${key}` : key;
        const fieldTyped = `${typedPath}.${key}`;
        const child = definition.properties[key];
        if (!child) {
          // apiVersion and kind are part of every top-level object, even where the schema lists them.
          if (!path && (key === 'apiVersion' || key === 'kind')) continue;
          result.unknown.push(fieldPath);
          result.unknownTyped.push(fieldTyped);
          if (prune) delete value[key];
          continue;
        }
        const gate = this.gated.get(`${schema.$ref}.${key}`);
        if (gate && value[key] !== null) {
          result.causes.push({
            reason: 'FieldValueForbidden',
            field: fieldPath,
            message: `Forbidden: behind the ${gate.gate} feature gate, off by default in Kubernetes ${MINIMUM_KUBERNETES} (${gate.stage}); the apiserver drops it`,
          });
        }
        this.walk(value[key], child, fieldPath, fieldTyped, prune, result);
      }
      // Required fields of the spec side; status is the server's own, validated by its controllers.
      const inStatus = path === 'status' || path.startsWith('status.');
      for (const field of inStatus ? [] : (definition.required ?? [])) {
        if (
          value[field] === undefined &&
          !(field === 'apiVersion' || field === 'kind' || field === 'metadata')
        ) {
          result.causes.push({
            reason: 'FieldValueRequired',
            field: path ? `${path}.${field}` : field,
            message: 'Required value',
          });
        }
      }
      return;
    }
    switch (schema.type) {
      case 'any':
        return;
      case 'string':
      case 'boolean':
        if (typeof value !== schema.type) result.typeErrors.push(typeError(value, path, schema.type));
        return;
      case 'integer':
        if (typeof value !== 'number' || !Number.isInteger(value))
          result.typeErrors.push(typeError(value, path, 'int64'));
        return;
      case 'number':
        if (typeof value !== 'number') result.typeErrors.push(typeError(value, path, 'float64'));
        return;
      case 'int-or-string':
        if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value)))
          result.typeErrors.push(typeError(value, path, 'intstr.IntOrString'));
        return;
      case 'quantity':
        if (typeof value !== 'string' && typeof value !== 'number')
          result.typeErrors.push(typeError(value, path, 'resource.Quantity'));
        return;
      case 'array': {
        if (!Array.isArray(value)) {
          result.typeErrors.push(typeError(value, path, 'array'));
          return;
        }
        const field = path.split('.').pop() ?? '';
        const key = LIST_KEYS[field];
        value.forEach((item, index) => {
          const keyValue = key && isPlainObject(item) ? item[key] : undefined;
          const typedItem =
            keyValue === undefined
              ? `${typedPath}[${index}]`
              : `${typedPath}[${key}=${JSON.stringify(keyValue)}]`;
          this.walk(item, schema.items, `${path}[${index}]`, typedItem, prune, result);
        });
        return;
      }
      case 'map':
        if (!isPlainObject(value)) {
          result.typeErrors.push(typeError(value, path, 'map'));
          return;
        }
        for (const [key, item] of Object.entries(value)) {
          this.walk(item, schema.values, `${path}.${key}`, `${typedPath}.${key}`, prune, result);
        }
        return;
    }
  }
}

function shortName(definition: string): string {
  return definition.split('.').pop() ?? definition;
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (isPlainObject(value)) return 'object';
  return typeof value === 'number' ? 'number' : typeof value;
}

/** Worded as encoding/json's UnmarshalTypeError, which the apiserver passes on in its 400. */
function typeError(value: unknown, path: string, goType: string): string {
  return `json: cannot unmarshal ${jsonType(value)} into Go struct field ${path || '<root>'} of type ${goType}`;
}
