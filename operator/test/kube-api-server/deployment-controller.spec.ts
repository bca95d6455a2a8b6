import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait-until.ts';
import { DeploymentController, POD_DELETION_COST } from './deployment-controller.ts';
import { KubeApiServer } from './kube-api-server.ts';
import type { KubeObject } from './types.ts';

describe(DeploymentController.name, () => {
  let server: KubeApiServer;

  beforeAll(async () => {
    server = await KubeApiServer.start({ deployments: { podReadiness: 'immediate' } });
  });

  afterAll(async () => {
    await server?.close();
  });

  const podsOf = (name: string) =>
    server.operations
      .list(server.registry.byKind('v1', 'Pod')!, 'default', [])
      .filter((pod) => pod.metadata.ownerReferences?.some((ref) => ref.name === name));

  function deployment(name: string, replicas: number): KubeObject {
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'default' },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'worker', image: 'w:1' }] },
        },
      },
    };
  }

  it('should scale pods up and report ready replicas when spec.replicas grows', async () => {
    server.createObject(deployment('grow', 0));
    server.patchObject('apps/v1', 'Deployment', 'default', 'grow', { spec: { replicas: 3 } });
    await waitUntil(
      () =>
        server.getObject('apps/v1', 'Deployment', 'default', 'grow')?.status?.['readyReplicas' as never] ===
        3,
      '3 ready',
    );
    const pods = podsOf('grow');
    expect(pods).toHaveLength(3);
    expect(pods.every((pod) => pod.metadata.labels?.app === 'grow')).toBe(true);
  });

  it('should remove the pods with the lowest deletion cost first when scaling down', async () => {
    server.createObject(deployment('shrink', 3));
    await waitUntil(() => podsOf('shrink').length === 3, '3 pods');
    const [busy, idle, alsoBusy] = podsOf('shrink');
    for (const [pod, cost] of [
      [busy, '100'],
      [idle, '0'],
      [alsoBusy, '50'],
    ] as const) {
      server.patchObject('v1', 'Pod', 'default', pod.metadata.name!, {
        metadata: { annotations: { [POD_DELETION_COST]: cost } },
      });
    }
    server.patchObject('apps/v1', 'Deployment', 'default', 'shrink', { spec: { replicas: 1 } });
    await waitUntil(() => podsOf('shrink').length === 1, 'one pod left');
    expect(podsOf('shrink')[0].metadata.name).toBe(busy.metadata.name);
    await waitUntil(
      () =>
        (server.getObject('apps/v1', 'Deployment', 'default', 'shrink')?.status as { replicas?: number })
          ?.replicas === 1,
      'status',
    );
  });

  it('should replace a pod that was deleted and collect the pods with their Deployment', async () => {
    server.createObject(deployment('heal', 2));
    await waitUntil(() => podsOf('heal').length === 2, '2 pods');
    const victim = podsOf('heal')[0].metadata.name!;
    server.operations.delete(server.registry.byKind('v1', 'Pod')!, 'default', victim);
    await waitUntil(
      () => podsOf('heal').length === 2 && !podsOf('heal').some((pod) => pod.metadata.name === victim),
      'a replacement',
    );

    server.operations.delete(server.registry.byKind('apps/v1', 'Deployment')!, 'default', 'heal');
    await waitUntil(() => podsOf('heal').length === 0, 'the pods to be collected');
  });
});
