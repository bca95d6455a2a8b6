import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor } from '../controllers-harness.ts';
import type { KubeClient } from '../../src/kube/kube-client.ts';
import { RESOURCES, resourcePath } from '../../src/kube/resource-paths.ts';
import { KubeApiServer } from './kube-api-server.ts';

/** Upstream: legacyValidateEvent in kubernetes/kubernetes pkg/apis/core/validation/events.go. */
describe('Event namespaces (legacyValidateEvent)', () => {
  let server: KubeApiServer;
  let client: KubeClient;
  beforeAll(async () => {
    server = await KubeApiServer.start({ namespaces: ['default', 'kube-system', 'team-a'] });
    client = clientFor(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  const event = (namespace: string, regarding: Record<string, unknown>) => ({
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `e.${Math.random().toString(16).slice(2)}`, namespace },
    eventTime: '2026-01-01T00:00:00.000000Z',
    reportingController: 'cineweave.io/operator',
    reportingInstance: 'operator-a',
    action: 'Bind',
    reason: 'DeprecatedAccountAnnotation',
    note: 'x',
    type: 'Warning',
    regarding,
  });
  const namespaceRef = { apiVersion: 'v1', kind: 'Namespace', name: 'team-a' };

  it('should keep an event about a cluster-scoped object in default or kube-system', async () => {
    await client.create(resourcePath(RESOURCES.events, 'default'), event('default', namespaceRef));
    await client.create(resourcePath(RESOURCES.events, 'kube-system'), event('kube-system', namespaceRef));
  });

  it('should refuse an event about a cluster-scoped object in any other namespace, as the apiserver does', async () => {
    const refused = await client
      .create(resourcePath(RESOURCES.events, 'team-a'), event('team-a', namespaceRef))
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ statusCode: 422, reason: 'Invalid' });
    expect((refused as Error).message).toContain(
      'involvedObject.namespace: Invalid value: "": does not match event.namespace',
    );
  });

  it('should take an event about a namespaced object in its namespace', async () => {
    await client.create(
      resourcePath(RESOURCES.events, 'team-a'),
      event('team-a', {
        apiVersion: 'cineweave.io/v1alpha1',
        kind: 'VideoJob',
        name: 'fox',
        namespace: 'team-a',
      }),
    );
  });
});
