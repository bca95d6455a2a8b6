import type { StructuralSchema } from '../../scripts/crds/structural-schema.ts';
import type { KubeObject } from './types.ts';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  priority?: number;
  /** CRD printer columns read a JSONPath; built-in kinds compute their cell. */
  jsonPath?: string;
  cell?: (object: KubeObject) => unknown;
}

/** How a list field merges under strategic merge patch and server-side apply. */
export interface ListMergeRule {
  /** Field names, e.g. `containers`, wherever they appear. */
  field: string;
  keys: string[];
}

/** One kind the server serves: its REST names and the rules its objects follow. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  /** Has the `/status` subresource: status and the rest are written separately. */
  statusSubresource: boolean;
  /** Has the `/scale` subresource (autoscaling/v1 Scale over spec.replicas), as Deployments do. */
  scaleSubresource?: boolean;
  /** CRDs refuse a PUT without metadata.resourceVersion; most built-in kinds accept it. */
  allowUnconditionalUpdate: boolean;
  /** Custom resources do not accept strategic merge patch. */
  strategicMergePatch: boolean;
  columns: TableColumn[];
  /** Structural schema of custom resources: defaults, pruning and validation. */
  schema?: StructuralSchema;
  listMergeRules: ListMergeRule[];
  /**
   * Kinds that are two versions of one stored resource (core/v1 and events.k8s.io/v1 Events)
   * share storage and convert on the way in and out.
   */
  storage?: StorageConversion;
}

export interface StorageConversion {
  key: string;
  toStorage(object: KubeObject): KubeObject;
  fromStorage(object: KubeObject): KubeObject;
}

export function storageKeyOf(type: ResourceType): string {
  return type.storage?.key ?? resourceKey(type);
}

export function toStorage(type: ResourceType, object: KubeObject): KubeObject {
  return type.storage ? type.storage.toStorage(object) : object;
}

export function fromStorage(type: ResourceType, object: KubeObject): KubeObject {
  return type.storage ? type.storage.fromStorage(object) : object;
}

export function groupVersion(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export function resourceKey(type: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${type.group}/${type.plural}`;
}
