import type { ObjectStore } from './object-store.ts';
import { generateName } from './object-rules.ts';
import type { ResourceOperations, WriteOptions } from './resource-operations.ts';
import { kubeTime } from './resource-operations.ts';
import type { ResourceRegistry } from './resource-registry.ts';
import type { ResourceType } from './resource-type.ts';
import type { KubeObject } from './types.ts';
import { isPlainObject, nameOf, uidOf } from './types.ts';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

export interface DeploymentControllerOptions {
  /**
   * `immediate`: new pods become Running and Ready at once. `manual`: they stay Pending until the
   * test writes their status (e.g. to play a worker that is still loading its model).
   */
  podReadiness?: 'immediate' | 'manual';
}

/**
 * A stand-in for the Deployment and ReplicaSet controllers (and a kubelet that starts every pod):
 * keeps `spec.replicas` pods per Deployment and reports replicas and readyReplicas in its status.
 * Simplified: pods belong to the Deployment directly (no ReplicaSet in between) and there are no
 * rollouts. Scale-down picks pods as a ReplicaSet does: not-ready pods first, then the lowest
 * `controller.kubernetes.io/pod-deletion-cost`, then the newest.
 */
export class DeploymentController {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private readonly unsubscribe: () => void;
  private readonly deployments: ResourceType;
  private readonly pods: ResourceType;
  private readonly operations: ResourceOperations;
  private readonly readiness: 'immediate' | 'manual';

  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    operations: ResourceOperations,
    options: DeploymentControllerOptions = {},
  ) {
    this.operations = operations;
    this.readiness = options.podReadiness ?? 'immediate';
    this.deployments = required(registry.byKind('apps/v1', 'Deployment'));
    this.pods = required(registry.byKind('v1', 'Pod'));
    for (const deployment of operations.list(this.deployments, undefined, [])) this.enqueue(deployment);
    this.unsubscribe = store.subscribe((event) => {
      if (event.storageKey === 'apps/deployments' && event.type !== 'DELETED') this.enqueue(event.object);
      if (event.storageKey === '/pods') {
        const owner = event.object.metadata.ownerReferences?.find(
          (ref) => ref.kind === 'Deployment' && ref.controller,
        );
        if (owner) this.pending.add(`${event.object.metadata.namespace}/${owner.name}`);
        this.schedule();
      }
    });
  }

  stop(): void {
    this.unsubscribe();
  }

  private enqueue(deployment: KubeObject): void {
    this.pending.add(`${deployment.metadata.namespace}/${deployment.metadata.name}`);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const keys = [...this.pending];
      this.pending.clear();
      for (const key of keys) this.reconcile(key);
    });
  }

  private options(manager: string): WriteOptions {
    return { fieldManager: manager, fieldValidation: 'Ignore', dryRun: false, force: false };
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split('/');
    const deployment = this.operations.list(this.deployments, namespace, [
      (object) => object.metadata.name === name,
    ])[0];
    if (!deployment || deployment.metadata.deletionTimestamp) return;
    const spec = isPlainObject(deployment.spec) ? deployment.spec : {};
    const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const pods = this.operations
      .list(this.pods, namespace, [])
      .filter((pod) => pod.metadata.ownerReferences?.some((ref) => ref.uid === deployment.metadata.uid));
    const active = pods.filter((pod) => !pod.metadata.deletionTimestamp);

    for (let index = active.length; index < desired; index += 1) this.createPod(deployment, spec);
    if (active.length > desired) {
      for (const pod of [...active].sort(scaleDownOrder).slice(0, active.length - desired)) {
        this.operations.delete(this.pods, namespace, nameOf(pod), {});
      }
    }

    const remaining = this.operations
      .list(this.pods, namespace, [])
      .filter(
        (pod) =>
          pod.metadata.ownerReferences?.some((ref) => ref.uid === deployment.metadata.uid) &&
          !pod.metadata.deletionTimestamp,
      );
    const ready = remaining.filter(isReady).length;
    const status = {
      observedGeneration: deployment.metadata.generation,
      replicas: remaining.length,
      updatedReplicas: remaining.length,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(remaining.length - ready > 0 ? { unavailableReplicas: remaining.length - ready } : {}),
    };
    this.operations.replace(
      this.deployments,
      namespace,
      name,
      { ...deployment, status },
      'status',
      this.options('deployment-controller'),
    );
  }

  private createPod(deployment: KubeObject, spec: Record<string, unknown>): void {
    const template = isPlainObject(spec.template) ? spec.template : {};
    const templateMetadata = isPlainObject(template.metadata) ? template.metadata : {};
    const namespace = deployment.metadata.namespace ?? 'default';
    const created = this.operations.create(
      this.pods,
      namespace,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          ...templateMetadata,
          name: generateName(`${deployment.metadata.name}-`),
          namespace,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: nameOf(deployment),
              uid: uidOf(deployment),
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: structuredClone(template.spec ?? {}),
      },
      this.options('replicaset-controller'),
    ).object;
    const now = kubeTime();
    const containers = Array.isArray((template.spec as { containers?: unknown })?.containers)
      ? (template.spec as { containers: Array<{ name?: string; image?: string }> }).containers
      : [];
    const running = this.readiness === 'immediate';
    const status = running
      ? {
          phase: 'Running',
          podIP: `10.0.0.${Math.floor(Math.random() * 250) + 2}`,
          startTime: now,
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
            { type: 'Ready', status: 'True', lastTransitionTime: now },
          ],
          containerStatuses: containers.map((container) => ({
            name: container.name,
            image: container.image,
            ready: true,
            restartCount: 0,
            started: true,
            state: { running: { startedAt: now } },
          })),
        }
      : { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now }] };
    this.operations.replace(
      this.pods,
      namespace,
      nameOf(created),
      { ...created, status },
      'status',
      this.options('kubelet'),
    );
  }
}

function isReady(pod: KubeObject): boolean {
  const conditions =
    isPlainObject(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions : [];
  return conditions.some(
    (condition) => isPlainObject(condition) && condition.type === 'Ready' && condition.status === 'True',
  );
}

function deletionCost(pod: KubeObject): number {
  const value = Number(pod.metadata.annotations?.[POD_DELETION_COST] ?? 0);
  return Number.isFinite(value) ? value : 0;
}

/** The ReplicaSet controller's preference when it removes pods, reduced to what the simulation knows. */
function scaleDownOrder(a: KubeObject, b: KubeObject): number {
  if (isReady(a) !== isReady(b)) return isReady(a) ? 1 : -1;
  if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
  return (
    Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? '') ||
    (nameOf(a) < nameOf(b) ? 1 : -1)
  );
}

function required(type: ResourceType | undefined): ResourceType {
  if (!type) throw new Error('The Deployment controller needs the built-in Deployment and Pod kinds');
  return type;
}
