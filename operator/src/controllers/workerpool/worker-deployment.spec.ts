import { WorkerPoolSpecSchema } from '@cineweave/contracts';
import { describe, expect, it } from 'vitest';
import { workerDeployment, type WorkerTemplateConfig } from './worker-deployment.ts';

const config: WorkerTemplateConfig = {
  image: 'ghcr.io/cineweave/gpu-worker:0.1.0',
  imagePullPolicy: 'IfNotPresent',
  secretName: 'cw-worker',
  metricsPort: 9464,
  shutdownGraceSeconds: 600,
  modelDir: '/models/wan',
  modelPvc: 'cw-models',
  gpuHourlyCostUsd: 2.5,
};

interface PodSpec {
  automountServiceAccountToken?: boolean;
  securityContext: Record<string, unknown>;
  containers: {
    securityContext: Record<string, unknown>;
    volumeMounts: { mountPath: string }[];
    resources: { limits: Record<string, unknown> };
  }[];
  tolerations: unknown[];
}

describe(workerDeployment.name, () => {
  const deployment = workerDeployment(
    { name: 'h100', namespace: 'gpu', uid: 'u-1' },
    WorkerPoolSpecSchema.parse({ maxReplicas: 4 }),
    2,
    config,
  );
  const pod = (deployment as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;

  it('should hold worker pods to Pod Security restricted as far as a GPU pod can be', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const [container] = pod.containers;
    expect(container?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    // With a read-only root, the encoder's temporary MP4 needs a writable /tmp.
    expect(container?.volumeMounts.map((mount) => mount.mountPath)).toContain('/tmp');
  });

  it('should request the pool GPU and tolerate the GPU taint', () => {
    expect(pod.containers[0]?.resources.limits).toMatchObject({ 'nvidia.com/gpu': '1' });
    expect(pod.tolerations).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'nvidia.com/gpu' })]),
    );
  });
});
