import { describe, expect, it } from 'vitest';
import { WorkerPoolSpecSchema, WorkerPoolStatusSchema, desiredReplicas } from './worker-pool.ts';

describe('WorkerPoolSpecSchema', () => {
  it('should default to a scale-to-zero pool of one GPU per worker', () => {
    expect(WorkerPoolSpecSchema.parse({})).toEqual({
      model: 'wan2.2-ti2v-5b',
      minReplicas: 0,
      maxReplicas: 1,
      jobsPerReplica: 1,
      scaleDownDelaySeconds: 300,
      gpu: { resourceName: 'nvidia.com/gpu', count: 1 },
    });
  });

  it('should accept pod overrides', () => {
    const spec = WorkerPoolSpecSchema.parse({
      maxReplicas: 8,
      nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      resources: { requests: { memory: '64Gi', cpu: 8 } },
      runtimeClassName: 'nvidia',
      priorityClassName: 'gpu-jobs',
    });
    expect(spec.runtimeClassName).toBe('nvidia');
  });

  it.each([
    ['min above max', { minReplicas: 3, maxReplicas: 2 }],
    ['zero jobs per replica', { jobsPerReplica: 0 }],
    ['a negative delay', { scaleDownDelaySeconds: -1 }],
    ['an unknown toleration effect', { tolerations: [{ effect: 'Sometimes' }] }],
    ['an unknown field', { replicas: 2 }],
  ])('should reject %s', (_case, spec) => {
    expect(WorkerPoolSpecSchema.safeParse(spec).success).toBe(false);
  });
});

describe('desiredReplicas', () => {
  const spec = { minReplicas: 0, maxReplicas: 4, jobsPerReplica: 2 };

  it.each([
    [0, 0],
    [1, 1],
    [2, 1],
    [3, 2],
    [8, 4],
    [100, 4],
  ])('should want for a backlog of %s jobs %s replicas', (backlog, replicas) => {
    expect(desiredReplicas(backlog, spec)).toBe(replicas);
  });

  it('should keep the minimum when idle', () => {
    expect(desiredReplicas(0, { ...spec, minReplicas: 1 })).toBe(1);
  });
});

describe('WorkerPoolStatusSchema', () => {
  it('should reject negative replica counts', () => {
    expect(WorkerPoolStatusSchema.safeParse({ replicas: -1 }).success).toBe(false);
    expect(
      WorkerPoolStatusSchema.parse({ replicas: 2, readyReplicas: 1, desiredReplicas: 2, backlog: 3 }).backlog,
    ).toBe(3);
  });
});
