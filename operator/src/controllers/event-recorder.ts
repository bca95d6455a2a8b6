import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { RESOURCES, resourcePath } from '../kube/resource-paths.ts';
import { microTime } from '../runtime/leader-election.ts';
import { errorMessage } from '../runtime/informer.ts';

export type EventType = 'Normal' | 'Warning';

const EVENT_CONCURRENCY = 4;
const MAX_PENDING_EVENTS = 5_000;

/**
 * Kubernetes Events (events.k8s.io/v1) on an object's transitions, shown by `kubectl describe`.
 * Best effort: a lost event must never fail or repeat a reconcile.
 */
export class EventRecorder {
  private readonly client: KubeClient;
  private readonly controller: string;
  private readonly instance: string;
  private readonly logger: Logger;
  private readonly backlog: { namespace: string; event: unknown; reason: string }[] = [];
  private inFlight = 0;

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
        // Empty for a cluster-scoped object (a Namespace), whose events upstream keeps in `default`.
        namespace: object.metadata.namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
      },
    };
    if (this.backlog.length >= MAX_PENDING_EVENTS) {
      this.logger.warn(
        { reason, object: `${namespace}/${object.metadata.name}` },
        'Dropped event; too many pending',
      );
      return;
    }
    this.backlog.push({ namespace, event, reason });
    this.pump();
  }

  /** Events go out a few at a time, so that a burst never holds the connections reconciles need. */
  private pump(): void {
    while (this.inFlight < EVENT_CONCURRENCY && this.backlog.length > 0) {
      const next = this.backlog.shift();
      if (!next) return;
      this.inFlight++;
      this.client
        .create(resourcePath(RESOURCES.events, next.namespace), next.event)
        .catch((error: unknown) => {
          this.logger.warn(
            { err: errorMessage(error), reason: next.reason, namespace: next.namespace },
            'Failed to record event',
          );
        })
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}
