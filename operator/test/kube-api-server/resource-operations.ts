import { parse as parseYaml } from 'yaml';
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  invalid,
  notFound,
  STALE_OBJECT,
} from './api-error.ts';
import { recordUpdate, serverSideApply } from './managed-fields.ts';
import type { ObjectStore } from './object-store.ts';
import { generateName, newUid, ObjectRules, specOf, stableJson } from './object-rules.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patches.ts';
import type { ResourceRegistry } from './resource-registry.ts';
import type { ResourceType } from './resource-type.ts';
import { fromStorage, groupVersion, storageKeyOf, toStorage } from './resource-type.ts';
import type { Selector } from './selectors.ts';
import type { KubeObject, ManagedFieldsEntry } from './types.ts';
import { isPlainObject, nameOf, uidOf } from './types.ts';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export interface WriteOptions {
  fieldManager: string;
  fieldValidation: FieldValidation;
  dryRun: boolean;
  force: boolean;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  created: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

const FOREGROUND_FINALIZER = 'foregroundDeletion';
const NAMESPACES_KEY = '/namespaces';

/** Seconds precision, as metav1.Time serialises. */
export function kubeTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface CommitContext {
  subresource?: string;
  options: WriteOptions;
  managedFields?: ManagedFieldsEntry[];
}

/**
 * What the apiserver's generic registry does for every kind: create, read, update, patch
 * (merge, JSON, strategic, apply) and delete with resourceVersion preconditions, the status
 * subresource split, metadata.generation, finalizers, and the garbage collector's and namespace
 * controller's clean-up.
 */
export class ResourceOperations {
  private readonly store: ObjectStore;
  private readonly registry: ResourceRegistry;
  private readonly rules = new ObjectRules();
  private sweepScheduled = false;

  constructor(store: ObjectStore, registry: ResourceRegistry) {
    this.store = store;
    this.registry = registry;
  }

  /** Readies a newly served kind (compiles its schema validator) before the first request needs it. */
  prepare(type: ResourceType): void {
    this.rules.prepare(type);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.load(type, namespace, name);
    if (!object) throw notFound(type, name);
    return object;
  }

  list(type: ResourceType, namespace: string | undefined, selectors: Selector[]): KubeObject[] {
    return this.store
      .list(storageKeyOf(type), type.namespaced ? namespace : undefined)
      .map((object) => fromStorage(type, object))
      .filter((object) => selectors.every((selector) => selector(object)));
  }

  create(
    type: ResourceType,
    namespace: string | undefined,
    body: unknown,
    options: WriteOptions,
    managedFields?: ManagedFieldsEntry[],
  ): WriteResult {
    const object = this.decode(type, body);
    const metadata = object.metadata;
    if (type.namespaced) {
      if (!namespace) throw badRequest(`${type.kind} is namespaced: create it under /namespaces/NAME/`);
      if (metadata.namespace && metadata.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      metadata.namespace = namespace;
      this.requireActiveNamespace(namespace);
    } else {
      delete metadata.namespace;
    }
    if (!metadata.name && metadata.generateName) {
      do metadata.name = generateName(metadata.generateName);
      while (this.load(type, namespace, metadata.name));
    }
    if (metadata.name && this.load(type, namespace, metadata.name)) throw alreadyExists(type, metadata.name);
    metadata.uid = newUid();
    metadata.creationTimestamp = kubeTime();
    for (const field of [
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'resourceVersion',
      'generation',
      'managedFields',
    ] as const) {
      delete metadata[field];
    }
    if (type.kind === 'Namespace' && !type.group) {
      object.spec = { finalizers: ['kubernetes'] };
      object.status = { phase: 'Active' };
    }
    return this.commit(type, undefined, object, { options, managedFields });
  }

  replace(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    subresource: string | undefined,
    options: WriteOptions,
  ): WriteResult {
    const object = this.decode(type, body);
    if (object.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${object.metadata.name ?? ''}) does not match the name on the URL (${name})`,
      );
    }
    const current = this.get(type, namespace, name);
    const version = object.metadata.resourceVersion;
    if (!version && !type.allowUnconditionalUpdate) {
      throw invalid(type, name, [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.resourceVersion',
          message: 'Invalid value: 0x0: must be specified for an update',
        },
      ]);
    }
    if (version && version !== current.metadata.resourceVersion) throw conflict(type, name, STALE_OBJECT);
    object.metadata.namespace = current.metadata.namespace;
    return this.commit(type, current, object, { subresource, options });
  }

  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    body: string,
    subresource: string | undefined,
    options: WriteOptions,
  ): WriteResult {
    if (contentType === PATCH_TYPES.apply)
      return this.apply(type, namespace, name, body, subresource, options);
    const current = this.get(type, namespace, name);
    const patch = parseJson(body);
    let patched: unknown;
    switch (contentType) {
      case PATCH_TYPES.merge:
        patched = applyMergePatch(current, patch);
        break;
      case PATCH_TYPES.json:
        patched = applyJsonPatch(current, patch);
        break;
      case PATCH_TYPES.strategic:
        if (!type.strategicMergePatch) throw unsupportedPatch(contentType);
        patched = applyStrategicMergePatch(current, patch, type.listMergeRules);
        break;
      default:
        throw unsupportedPatch(contentType);
    }
    const object = this.decode(type, patched);
    if (object.metadata.name !== name) throw badRequest('a patch may not change metadata.name');
    if (
      object.metadata.resourceVersion &&
      object.metadata.resourceVersion !== current.metadata.resourceVersion
    ) {
      throw conflict(type, name, STALE_OBJECT);
    }
    return this.commit(type, current, object, { subresource, options });
  }

  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): KubeObject {
    const current = this.get(type, namespace, name);
    const { uid, resourceVersion } = options.preconditions ?? {};
    if (uid && uid !== current.metadata.uid) {
      throw conflict(
        type,
        name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (resourceVersion && resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        type,
        name,
        `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    if (options.dryRun) return current;
    const policy = options.propagationPolicy ?? 'Background';
    if (policy === 'Orphan') this.orphanDependents(uidOf(current));

    const marked = structuredClone(current);
    const finalizers = [...(marked.metadata.finalizers ?? [])];
    if (policy === 'Foreground' && !finalizers.includes(FOREGROUND_FINALIZER))
      finalizers.push(FOREGROUND_FINALIZER);
    const isNamespace = type.kind === 'Namespace' && !type.group;
    if (finalizers.length === 0 && !isNamespace) {
      marked.metadata.resourceVersion = String(this.store.nextRevision());
      this.store.remove(storageKeyOf(type), toStorage(type, marked));
      this.scheduleSweep();
      return marked;
    }
    if (
      marked.metadata.deletionTimestamp &&
      stableJson(finalizers) === stableJson(current.metadata.finalizers ?? [])
    ) {
      return current;
    }
    marked.metadata.finalizers = finalizers.length > 0 ? finalizers : undefined;
    marked.metadata.deletionTimestamp ??= kubeTime();
    marked.metadata.deletionGracePeriodSeconds = 0;
    if (isNamespace)
      marked.status = { ...(isPlainObject(marked.status) ? marked.status : {}), phase: 'Terminating' };
    marked.metadata.resourceVersion = String(this.store.nextRevision());
    this.store.put(storageKeyOf(type), toStorage(type, marked), toStorage(type, current));
    this.scheduleSweep();
    return marked;
  }

  private apply(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: string,
    subresource: string | undefined,
    options: WriteOptions,
  ): WriteResult {
    if (!options.fieldManager)
      throw badRequest('PATCH requests with an apply content type need a fieldManager query parameter');
    let config: unknown;
    try {
      config = parseYaml(body);
    } catch (error) {
      throw badRequest(`error decoding YAML: ${(error as Error).message}`);
    }
    if (!isPlainObject(config) || config.apiVersion !== groupVersion(type) || config.kind !== type.kind) {
      throw badRequest(`the applied object must have apiVersion ${groupVersion(type)} and kind ${type.kind}`);
    }
    const metadata = isPlainObject(config.metadata) ? config.metadata : {};
    if (metadata.name !== undefined && metadata.name !== name) {
      throw badRequest(
        `the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    const scoped: KubeObject = {
      apiVersion: groupVersion(type),
      kind: type.kind,
      metadata: { ...metadata, name },
    };
    if (type.namespaced) scoped.metadata.namespace = namespace;
    for (const [key, value] of Object.entries(config)) {
      if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
      const isStatus = key === 'status';
      if (subresource === 'status' ? isStatus : !(isStatus && type.statusSubresource)) scoped[key] = value;
    }
    if (subresource === 'status') scoped.metadata = { name, ...(type.namespaced ? { namespace } : {}) };
    const untyped = this.rules.untypedFields(type, scoped);
    if (untyped.length > 0) {
      const gvk = `${type.group}/${type.version}, Kind=${type.kind}`;
      const where = `${type.namespaced ? (namespace ?? '') : ''}/${name}; ${gvk}`;
      const detail = untyped.length === 1 ? untyped[0] : `errors:\n  ${untyped.join('\n  ')}`;
      // Upstream returns a plain error here, which the handler turns into a 500 without a reason.
      throw new ApiError(500, '', `failed to create typed patch object (${where}): ${detail}`);
    }
    const current = this.load(type, namespace, name);
    const context = {
      manager: options.fieldManager,
      subresource,
      apiVersion: groupVersion(type),
      rules: type.listMergeRules,
      now: kubeTime(),
    };
    if (!current) {
      if (subresource) throw notFound(type, name);
      const { object, managedFields } = serverSideApply(undefined, scoped, options.force, context);
      return this.create(type, namespace, object, options, managedFields);
    }
    const version = scoped.metadata.resourceVersion;
    if (version && version !== current.metadata.resourceVersion) throw conflict(type, name, STALE_OBJECT);
    const { object, managedFields } = serverSideApply(current, scoped, options.force, context);
    return this.commit(type, current, object, { subresource, options, managedFields });
  }

  private commit(
    type: ResourceType,
    previous: KubeObject | undefined,
    candidate: KubeObject,
    context: CommitContext,
  ): WriteResult {
    // Every caller hands over a fresh object (decoded, patched or applied): no copy needed.
    let object = candidate;
    object.apiVersion = groupVersion(type);
    object.kind = type.kind;
    if (previous && context.subresource === 'status') {
      const status = object.status;
      object = structuredClone(previous);
      if (status === undefined) delete object.status;
      else object.status = status;
    } else if (previous) {
      if (type.statusSubresource) {
        if (previous.status === undefined) delete object.status;
        else object.status = structuredClone(previous.status);
      }
      for (const field of [
        'uid',
        'creationTimestamp',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
        'generation',
        'namespace',
        'name',
      ] as const) {
        if (previous.metadata[field] === undefined) delete object.metadata[field];
        else (object.metadata as Record<string, unknown>)[field] = previous.metadata[field];
      }
    } else if (type.statusSubresource && !(type.kind === 'Namespace' && !type.group)) {
      delete object.status;
    }

    const warnings: string[] = [];
    const unknown = this.rules.normalize(type, object);
    if (unknown.length > 0 && context.options.fieldValidation === 'Strict') {
      throw badRequest(
        `strict decoding error: ${unknown.map((field) => `unknown field "${field}"`).join(', ')}`,
      );
    }
    if (unknown.length > 0 && context.options.fieldValidation === 'Warn') {
      warnings.push(...unknown.map((field) => `unknown field "${field}"`));
    }
    const name = object.metadata.name ?? '';
    if (previous?.metadata.deletionTimestamp) {
      const added = (object.metadata.finalizers ?? []).filter(
        (f) => !(previous.metadata.finalizers ?? []).includes(f),
      );
      if (added.length > 0) {
        throw new ApiError(
          422,
          'Invalid',
          `${type.kind} "${name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
        );
      }
    }
    const causes = this.rules.validate(type, object, previous);
    if (causes.length > 0) throw invalid(type, name, causes);

    if (!previous) object.metadata.generation = 1;
    else if (specOf(object) !== specOf(previous))
      object.metadata.generation = (previous.metadata.generation ?? 1) + 1;
    if (object.metadata.finalizers?.length === 0) delete object.metadata.finalizers;

    if (
      previous &&
      stableJson(withoutVolatile(object)) === stableJson(withoutVolatile(previous)) &&
      !context.managedFields
    ) {
      return { object: previous, warnings, created: false };
    }
    const managedFields =
      context.managedFields ??
      recordUpdate(previous, object, {
        manager: context.options.fieldManager,
        subresource: context.subresource,
        apiVersion: groupVersion(type),
        rules: type.listMergeRules,
        now: kubeTime(),
      });
    object.metadata.managedFields = managedFields.length > 0 ? managedFields : undefined;
    if (context.options.dryRun) return { object, warnings, created: !previous };

    object.metadata.resourceVersion = String(this.store.nextRevision());
    if (
      previous &&
      object.metadata.deletionTimestamp &&
      !object.metadata.finalizers?.length &&
      type.kind !== 'Namespace'
    ) {
      this.store.remove(storageKeyOf(type), toStorage(type, object));
      this.scheduleSweep();
      return { object, warnings, created: false };
    }
    this.store.put(
      storageKeyOf(type),
      toStorage(type, object),
      previous ? toStorage(type, previous) : undefined,
    );
    if (object.metadata.deletionTimestamp) this.scheduleSweep();
    return { object, warnings, created: !previous };
  }

  private decode(type: ResourceType, body: unknown): KubeObject {
    if (!isPlainObject(body)) throw badRequest(`the request body must be a ${type.kind} object`);
    const object = structuredClone(body) as KubeObject;
    if (object.apiVersion !== undefined && object.apiVersion !== groupVersion(type)) {
      throw badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${groupVersion(type)})`,
      );
    }
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw badRequest(
        `the kind in the data (${String(object.kind)}) does not match the expected kind (${type.kind})`,
      );
    }
    if (!isPlainObject(object.metadata)) object.metadata = {};
    return object;
  }

  private load(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const stored = this.store.get(storageKeyOf(type), type.namespaced ? namespace : undefined, name);
    return stored ? fromStorage(type, stored) : undefined;
  }

  private requireActiveNamespace(namespace: string): void {
    const stored = this.store.get(NAMESPACES_KEY, undefined, namespace);
    if (!stored) throw notFound({ group: '', plural: 'namespaces', kind: 'Namespace' }, namespace);
    if (stored.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  private typeOfStorage(storageKey: string): ResourceType | undefined {
    return this.registry.all().find((type) => storageKeyOf(type) === storageKey && !type.storage);
  }

  private orphanDependents(uid: string): void {
    for (const { storageKey, object } of [...this.store.all()]) {
      const refs = object.metadata.ownerReferences ?? [];
      if (!refs.some((ref) => ref.uid === uid)) continue;
      const updated = structuredClone(object);
      updated.metadata.ownerReferences = refs.filter((ref) => ref.uid !== uid);
      if (updated.metadata.ownerReferences.length === 0) delete updated.metadata.ownerReferences;
      updated.metadata.resourceVersion = String(this.store.nextRevision());
      this.store.put(storageKey, updated, object);
    }
  }

  /** Garbage collection and namespace clean-up run after the change that calls for them, like the controllers. */
  private scheduleSweep(): void {
    if (this.sweepScheduled) return;
    this.sweepScheduled = true;
    setImmediate(() => {
      this.sweepScheduled = false;
      this.sweep();
    });
  }

  private sweep(): void {
    const everything = [...this.store.all()];
    const uids = new Set(everything.map(({ object }) => object.metadata.uid));
    const terminating = new Set(
      everything
        .filter(
          ({ storageKey, object }) => storageKey === NAMESPACES_KEY && object.metadata.deletionTimestamp,
        )
        .map(({ object }) => object.metadata.name),
    );
    const foreground = new Set(
      everything
        .filter(
          ({ object }) =>
            object.metadata.finalizers?.includes(FOREGROUND_FINALIZER) && object.metadata.deletionTimestamp,
        )
        .map(({ object }) => object.metadata.uid),
    );
    const remaining = new Map<string, number>();
    const owned = new Set<string>();
    for (const { storageKey, object } of everything) {
      const namespace = object.metadata.namespace;
      if (namespace) remaining.set(namespace, (remaining.get(namespace) ?? 0) + 1);
      const refs = object.metadata.ownerReferences ?? [];
      for (const ref of refs) owned.add(ref.uid);
      if (object.metadata.deletionTimestamp) continue;
      const ownersGone =
        refs.length > 0 && refs.every((ref) => !uids.has(ref.uid) || foreground.has(ref.uid));
      if ((namespace && terminating.has(namespace)) || ownersGone) {
        const type = this.typeOfStorage(storageKey);
        if (type) this.tryDelete(type, namespace, nameOf(object));
      }
    }
    for (const { storageKey, object } of everything) {
      const type = this.typeOfStorage(storageKey);
      if (!type) continue;
      if (foreground.has(object.metadata.uid) && !owned.has(uidOf(object))) {
        this.tryRemoveFinalizer(type, object, FOREGROUND_FINALIZER);
      }
      if (
        storageKey === NAMESPACES_KEY &&
        terminating.has(object.metadata.name) &&
        !remaining.get(nameOf(object))
      ) {
        const gone = structuredClone(object);
        gone.metadata.resourceVersion = String(this.store.nextRevision());
        this.store.remove(NAMESPACES_KEY, gone);
      }
    }
  }

  private tryDelete(type: ResourceType, namespace: string | undefined, name: string): void {
    try {
      this.delete(type, namespace, name, { propagationPolicy: 'Background' });
    } catch (error) {
      if (!(error instanceof ApiError && error.status.code === 404)) throw error;
    }
  }

  private tryRemoveFinalizer(type: ResourceType, stored: KubeObject, finalizer: string): void {
    const current = fromStorage(type, stored);
    const updated = structuredClone(current);
    updated.metadata.finalizers = (updated.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    this.commit(type, current, updated, {
      options: { fieldManager: 'garbage-collector', fieldValidation: 'Ignore', dryRun: false, force: false },
    });
  }
}

function withoutVolatile(object: KubeObject): KubeObject {
  return {
    ...object,
    metadata: { ...object.metadata, resourceVersion: undefined, managedFields: undefined },
  };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

function unsupportedPatch(contentType: string): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.json}, ${PATCH_TYPES.merge}, ${PATCH_TYPES.apply} (not ${contentType})`,
  );
}
