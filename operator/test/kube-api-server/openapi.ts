import { createHash } from 'node:crypto';
import type { StructuralSchema } from '../../scripts/crds/structural-schema.ts';
import { SERVER_VERSION } from './discovery.ts';
import type { ResourceRegistry } from './resource-registry.ts';
import type { ResourceType } from './resource-type.ts';
import { groupVersion } from './resource-type.ts';

/**
 * OpenAPI v3 documents, one per group version, as kube-apiserver publishes them under
 * /openapi/v3. kubectl reads them to learn that PATCH accepts `fieldValidation` (server-side
 * field validation, so `kubectl apply` needs no client-side schema), which patch types a kind
 * accepts, and the schemas `kubectl explain` prints.
 */

const OBJECT_META_REF = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const OBJECT_META: StructuralSchema = {
  type: 'object',
  description:
    'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  properties: {
    name: { type: 'string', description: 'Name must be unique within a namespace.' },
    namespace: {
      type: 'string',
      description: 'Namespace defines the space within which each name must be unique.',
    },
    labels: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Map of string keys and values that can be used to organize and categorize objects.',
    },
    annotations: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Unstructured key value map stored with a resource that may be set by external tools.',
    },
    finalizers: {
      type: 'array',
      items: { type: 'string' },
      description: 'Must be empty before the object is deleted from the registry.',
    },
    uid: { type: 'string', description: 'UID is the unique in time and space value for this object.' },
    resourceVersion: {
      type: 'string',
      description: 'An opaque value that represents the internal version of this object.',
    },
    generation: {
      type: 'integer',
      description: 'A sequence number representing a specific generation of the desired state.',
    },
    creationTimestamp: { type: 'string', format: 'date-time', description: 'When this object was created.' },
    deletionTimestamp: {
      type: 'string',
      format: 'date-time',
      description: 'When this resource will be deleted.',
    },
  },
};

function schemaName(type: ResourceType): string {
  if (!type.group || type.group.endsWith('.k8s.io') || type.group === 'apps') {
    const short = type.group ? type.group.replace(/\.k8s\.io$/, '') : 'core';
    return `io.k8s.api.${short}.${type.version}.${type.kind}`;
  }
  return `${type.group.split('.').reverse().join('.')}.${type.version}.${type.kind}`;
}

function gvk(type: ResourceType): Record<string, string> {
  return { group: type.group, version: type.version, kind: type.kind };
}

function kindSchema(type: ResourceType): Record<string, unknown> {
  const base: Record<string, unknown> = type.schema
    ? (structuredClone(type.schema) as Record<string, unknown>)
    : {
        type: 'object',
        description: `${type.kind} (schema not published by the CineWeave test API server).`,
        'x-kubernetes-preserve-unknown-fields': true,
      };
  const properties = (base.properties ?? {}) as Record<string, unknown>;
  properties.metadata = {
    allOf: [{ $ref: OBJECT_META_REF }],
    default: {},
    description: "Standard object's metadata.",
  };
  base.properties = properties;
  base['x-kubernetes-group-version-kind'] = [gvk(type)];
  return base;
}

function patchOperation(type: ResourceType): Record<string, unknown> {
  const query = (name: string, description: string) => ({
    name,
    in: 'query',
    description,
    schema: { type: 'string', uniqueItems: true },
  });
  const content = [
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/apply-patch+yaml',
    ...(type.strategicMergePatch && type.schema ? ['application/strategic-merge-patch+json'] : []),
  ];
  return {
    tags: [groupVersion(type)],
    description: `partially update the specified ${type.kind}`,
    operationId: `patch${type.kind}`,
    parameters: [
      query('dryRun', 'When present, indicates that modifications should not be persisted.'),
      query(
        'fieldManager',
        'fieldManager is a name associated with the actor or entity that is making these changes.',
      ),
      query('fieldValidation', 'Ignore, Warn or Strict: what to do with unknown or duplicate fields.'),
      {
        name: 'force',
        in: 'query',
        description: 'Force is going to "force" Apply requests.',
        schema: { type: 'boolean', uniqueItems: true },
      },
    ],
    requestBody: {
      content: Object.fromEntries(content.map((mediaType) => [mediaType, { schema: { type: 'object' } }])),
      required: true,
    },
    responses: {
      '200': {
        description: 'OK',
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(type)}` } } },
      },
    },
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': gvk(type),
  };
}

function basePath(type: ResourceType): string {
  const prefix = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  return type.namespaced ? `${prefix}/namespaces/{namespace}/${type.plural}` : `${prefix}/${type.plural}`;
}

export function openApiDocument(types: ResourceType[], title: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = { 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': OBJECT_META };
  for (const type of types) {
    const collection = basePath(type);
    const get = {
      description: `read the specified ${type.kind}`,
      operationId: `read${type.kind}`,
      responses: { '200': { description: 'OK' } },
      'x-kubernetes-action': 'get',
      'x-kubernetes-group-version-kind': gvk(type),
    };
    paths[collection] = {
      get: {
        ...get,
        description: `list or watch objects of kind ${type.kind}`,
        operationId: `list${type.kind}`,
        'x-kubernetes-action': 'list',
      },
      post: {
        ...get,
        description: `create a ${type.kind}`,
        operationId: `create${type.kind}`,
        'x-kubernetes-action': 'post',
      },
    };
    paths[`${collection}/{name}`] = { get, patch: patchOperation(type) };
    if (type.statusSubresource) {
      paths[`${collection}/{name}/status`] = {
        get,
        patch: { ...patchOperation(type), operationId: `patch${type.kind}Status` },
      };
    }
    schemas[schemaName(type)] = kindSchema(type);
  }
  return {
    openapi: '3.0.0',
    info: { title, version: SERVER_VERSION.gitVersion.replace(/-.*$/, '') },
    paths,
    components: { schemas },
  };
}

/** Path of a group version in /openapi/v3: `api/v1` or `apis/<group>/<version>`. */
export function openApiPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiIndex(registry: ResourceRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const group of registry.groups()) {
    for (const version of group.versions) {
      const path = openApiPath(group.name, version);
      const document = openApiDocument(registry.inGroupVersion(group.name, version), path);
      const hash = createHash('sha512')
        .update(JSON.stringify(document))
        .digest('hex')
        .slice(0, 64)
        .toUpperCase();
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
    }
  }
  return { paths };
}
