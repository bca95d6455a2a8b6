import {
  ENGINE_ENV_VALUE_ERROR,
  ENGINE_IMAGE_REQUIRED_ERROR,
  ENGINE_SERVER_FIELDS_ERROR,
  WorkerPoolSpecSchema,
} from '@cineweave/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiServer } from '../kube-api-server/kube-api-server.ts';

/**
 * The engine rules of the WorkerPool CRD, as `kubectl apply --server-side` meets them: every
 * refusal is the apiserver's 422 with the rule's message, and the contracts schema (what the
 * operator parses) refuses the same specs.
 */
describe('WorkerPool spec.engine on the test API server', () => {
  let server: KubeApiServer;

  beforeAll(async () => {
    server = await KubeApiServer.start({ namespaces: ['default', 'gpu'] });
  });
  afterAll(() => server.close());

  let count = 0;
  async function apply(engine: Record<string, unknown>): Promise<{ status: number; message: string }> {
    const name = `pool-${++count}`;
    const response = await fetch(
      `${server.url}/apis/cineweave.io/v1alpha1/namespaces/gpu/workerpools/${name}?fieldManager=kubectl&fieldValidation=Strict`,
      {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/apply-patch+yaml' },
        body: JSON.stringify({
          apiVersion: 'cineweave.io/v1alpha1',
          kind: 'WorkerPool',
          metadata: { name, namespace: 'gpu' },
          spec: { maxReplicas: 2, engine },
        }),
      },
    );
    const body = (await response.json()) as { message?: string };
    return { status: response.status, message: body.message ?? '' };
  }

  const serverEngine = { kind: 'openai-videos', image: 'vllm/vllm-omni:v0.25.0' };

  it('should accept an openai-videos engine and keep onnx the default kind', async () => {
    const full = {
      ...serverEngine,
      command: ['vllm', 'serve'],
      args: ['Wan-AI/Wan2.2-TI2V-5B-Diffusers', '--omni'],
      port: 8000,
      env: [{ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } }],
      modelCache: { claimName: 'hf-cache' },
    };
    expect(await apply(full)).toMatchObject({ status: 201 });
    const created = await apply({});
    expect(created.status).toBe(201);
    const stored = (await (
      await fetch(`${server.url}/apis/cineweave.io/v1alpha1/namespaces/gpu/workerpools/pool-${count}`)
    ).json()) as { spec: { engine: unknown } };
    expect(stored.spec.engine).toEqual({ kind: 'onnx' });
    expect(WorkerPoolSpecSchema.safeParse({ engine: full }).success).toBe(true);
  });

  it.each([
    [
      'an openai-videos engine without an image',
      { kind: 'openai-videos' },
      `spec.engine.image: Invalid value: "object": ${ENGINE_IMAGE_REQUIRED_ERROR}`,
    ],
    [
      'server settings on the onnx engine',
      { port: 8000 },
      `spec.engine.kind: Invalid value: "object": ${ENGINE_SERVER_FIELDS_ERROR}`,
    ],
    [
      'a port out of range',
      { ...serverEngine, port: 70000 },
      'spec.engine.port: Invalid value: 70000: spec.engine.port in body should be less than or equal to 65535',
    ],
    [
      'a startup budget under 30 seconds',
      { ...serverEngine, startupTimeoutSeconds: 5 },
      'spec.engine.startupTimeoutSeconds: Invalid value: 5: spec.engine.startupTimeoutSeconds in body should be greater than or equal to 30',
    ],
    [
      'a health path that is not a path',
      { ...serverEngine, healthPath: 'health' },
      `spec.engine.healthPath: Invalid value: "health": spec.engine.healthPath in body should match '^\\/\\S*$'`,
    ],
    [
      'an unknown kind',
      { kind: 'tensorrt' },
      'spec.engine.kind: Unsupported value: "tensorrt": supported values: "onnx", "openai-videos"',
    ],
    [
      'a variable with both value and valueFrom',
      {
        ...serverEngine,
        env: [{ name: 'A', value: '1', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
      },
      `spec.engine.env[0]: Invalid value: "object": ${ENGINE_ENV_VALUE_ERROR}`,
    ],
    [
      'a valueFrom naming both a Secret and a ConfigMap',
      {
        ...serverEngine,
        env: [
          {
            name: 'A',
            valueFrom: { secretKeyRef: { name: 's', key: 'k' }, configMapKeyRef: { name: 'c', key: 'k' } },
          },
        ],
      },
      'spec.engine.env[0].valueFrom: Invalid value: "object": engine.env.valueFrom takes exactly one of secretKeyRef or configMapKeyRef',
    ],
    [
      'a variable listed twice',
      {
        ...serverEngine,
        env: [
          { name: 'HF_TOKEN', value: 'a' },
          { name: 'HF_TOKEN', value: 'b' },
        ],
      },
      'spec.engine.env[1]: Duplicate value: map[string]interface {}{"name":"HF_TOKEN"}',
    ],
  ])('should refuse %s with the apiserver message', async (_case, engine, message) => {
    const { status, message: text } = await apply(engine);
    expect(status).toBe(422);
    expect(text).toContain(message);
    expect(WorkerPoolSpecSchema.safeParse({ engine }).success).toBe(false);
  });
});
