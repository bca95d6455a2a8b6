import { describe, expect, it } from 'vitest';
import type { WorkerPod } from './engine-status.ts';
import { engineReadyCondition } from './engine-status.ts';

const engine = { healthPath: '/health', startupTimeoutSeconds: 1800 };

function pod(name: string, status: WorkerPod['status'], deleting = false): WorkerPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    status,
  };
}

const engineStatus = (fields: Record<string, unknown>) => ({
  initContainerStatuses: [{ name: 'engine', ...fields }],
});

describe(engineReadyCondition.name, () => {
  it('should be Unknown when no worker pod exists', () => {
    expect(engineReadyCondition([], engine)).toMatchObject({ status: 'Unknown', reason: 'NoWorkers' });
    expect(engineReadyCondition([pod('gone', engineStatus({ ready: true }), true)], engine)).toMatchObject({
      status: 'Unknown',
    });
  });

  it('should be True when every engine is ready', () => {
    const ready = pod('a', engineStatus({ ready: true, started: true, state: { running: {} } }));
    expect(engineReadyCondition([ready, { ...ready, metadata: { name: 'b' } }], engine)).toEqual({
      type: 'EngineReady',
      status: 'True',
      reason: 'EnginesReady',
      message: '2 of 2 engines answer /health.',
    });
  });

  it('should give the kubelet reason and message when an image cannot be pulled', () => {
    const pulling = pod(
      'omni-1',
      engineStatus({
        ready: false,
        state: {
          waiting: {
            reason: 'ImagePullBackOff',
            message: 'Back-off pulling image "vllm/vllm-omni:v9"',
          },
        },
      }),
    );
    expect(engineReadyCondition([pulling], engine)).toEqual({
      type: 'EngineReady',
      status: 'False',
      reason: 'ImagePullBackOff',
      message:
        '0 of 1 engines are ready; pod omni-1: ImagePullBackOff: Back-off pulling image "vllm/vllm-omni:v9"',
    });
  });

  it('should say why a crash-looping engine last exited', () => {
    const crashing = pod(
      'omni-2',
      engineStatus({
        ready: false,
        restartCount: 3,
        state: {
          waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' },
        },
        lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
      }),
    );
    const condition = engineReadyCondition([crashing], engine);
    expect(condition.reason).toBe('CrashLoopBackOff');
    expect(condition.message).toContain('restarted 3 times, last exit OOMKilled (code 137)');
  });

  it('should report a starting engine as EngineStarting with its budget', () => {
    const loading = pod(
      'omni-3',
      engineStatus({
        ready: false,
        started: false,
        state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
      }),
    );
    expect(engineReadyCondition([loading], engine)).toMatchObject({
      status: 'False',
      reason: 'EngineStarting',
      message: expect.stringContaining('waiting for /health to answer (up to 1800s'),
    });
  });

  it('should name an unschedulable pod with the scheduler message', () => {
    const pending = pod('omni-4', {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.',
        },
      ],
    });
    expect(engineReadyCondition([pending], engine)).toMatchObject({
      reason: 'Unschedulable',
      message: expect.stringContaining('3 Insufficient nvidia.com/gpu'),
    });
  });

  it('should lead with the worst problem and count the ready engines', () => {
    const ready = pod('ok', engineStatus({ ready: true }));
    const starting = pod('slow', engineStatus({ ready: false, started: false, state: { running: {} } }));
    const unhealthy = pod('sick', engineStatus({ ready: false, started: true, state: { running: {} } }));
    const broken = pod(
      'bad',
      engineStatus({ ready: false, state: { terminated: { reason: 'Error', exitCode: 1 } } }),
    );
    const condition = engineReadyCondition([ready, starting, unhealthy, broken], engine);
    expect(condition.reason).toBe('Error');
    expect(condition.message).toMatch(
      /^1 of 4 engines are ready; pod bad: Error: exited with code 1; pod sick: EngineNotReady: \/health does not answer 200; pod slow: EngineStarting/,
    );
  });

  it('should fall back to EngineNotReady when the kubelet reason is not a valid condition reason', () => {
    const odd = pod('odd', engineStatus({ ready: false, state: { waiting: { reason: 'not valid!' } } }));
    expect(engineReadyCondition([odd], engine).reason).toBe('EngineNotReady');
  });
});
