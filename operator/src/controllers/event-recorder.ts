import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { RESOURCES, resourcePath } from '../kube/resource-paths.ts';
import { microTime } from '../runtime/leader-election.ts';
import { errorMessage } from '../runtime/informer.ts';

export type EventType = 'Normal' | 'Warning';

/**
 * Kubernetes Events (events.k8s.io/v1) on an object's transitions, shown by `kubectl describe`.
 * Best effort: a lost event must never fail or repeat a reconcile.
 */
export class EventRecorder {
  private readonly client: KubeClient;
  private readonly controller: string;
  private readonly instance: string;
  private readonly logger: Logger;

  constructor(client: KubeClient, controller: string, instance: string, logger: Logger) {
    this.client = client;
    this.controller = controller;
    this.instance = instance;
    this.logger = logger;
  }

  record(object: KubeObject, type: EventType, reason: string, action: string, note: string): void {
    const namespace = object.metadata.namespace ?? 'default';
    const now = new Date();
    const event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: {
        name: `${object.metadata.name}.${now.getTime().toString(16)}${randomBytes(2).toString('hex')}`,
        namespace,
      },
      eventTime: microTime(now),
      reportingController: this.controller,
      reportingInstance: this.instance,
      action,
      reason,
      note: note.slice(0, 1024),
      type,
      regarding: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
      },
    };
    this.client.create(resourcePath(RESOURCES.events, namespace), event).catch((error: unknown) => {
      this.logger.warn(
        { err: errorMessage(error), reason, object: `${namespace}/${object.metadata.name}` },
        'Failed to record event',
      );
    });
  }
}
