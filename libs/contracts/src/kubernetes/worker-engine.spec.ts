import { describe, expect, it } from 'vitest';
import {
  ENGINE_ENV_VALUE_ERROR,
  ENGINE_IMAGE_REQUIRED_ERROR,
  ENGINE_SERVER_FIELDS,
  ENGINE_SERVER_FIELDS_ERROR,
  WorkerEngineSchema,
} from './worker-engine.ts';

const messages = (input: unknown) =>
  WorkerEngineSchema.safeParse(input).error?.issues.map((issue) => issue.message) ?? [];

describe('WorkerEngineSchema', () => {
  it('should default to the onnx engine inside the worker', () => {
    expect(WorkerEngineSchema.parse({})).toEqual({ kind: 'onnx' });
  });

  it('should accept a vLLM-Omni server with its settings', () => {
    const engine = WorkerEngineSchema.parse({
      kind: 'openai-videos',
      image: 'vllm/vllm-omni:v0.25.0',
      command: ['vllm', 'serve'],
      args: ['Wan-AI/Wan2.2-TI2V-5B-Diffusers', '--omni'],
      env: [
        { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } },
        { name: 'VLLM_NO_USAGE_STATS', value: '1' },
      ],
      resources: { requests: { cpu: '8', memory: '64Gi' } },
      shmSize: '16Gi',
      modelCache: { claimName: 'hf-cache' },
    });
    expect(engine.port).toBeUndefined();
    expect(engine.env).toHaveLength(2);
  });

  it('should require the image of a server engine', () => {
    expect(messages({ kind: 'openai-videos' })).toEqual([ENGINE_IMAGE_REQUIRED_ERROR]);
  });

  it.each(ENGINE_SERVER_FIELDS.map((field) => [field]))(
    'should refuse %s on the onnx engine, which runs inside the worker',
    (field) => {
      const values: Record<string, unknown> = {
        image: 'x',
        imagePullPolicy: 'Always',
        command: ['x'],
        args: ['x'],
        env: [{ name: 'A', value: '1' }],
        resources: {},
        port: 8000,
        healthPath: '/health',
        startupTimeoutSeconds: 60,
        shmSize: '1Gi',
        modelCache: {},
        securityContext: {},
      };
      expect(messages({ [field]: values[field] })).toEqual([ENGINE_SERVER_FIELDS_ERROR]);
    },
  );

  it.each([
    ['a port out of range', { port: 0 }],
    ['a health path without its slash', { healthPath: 'health' }],
    ['a startup budget under 30 s', { startupTimeoutSeconds: 10 }],
    ['a variable name with a space', { env: [{ name: 'A B', value: '1' }] }],
    [
      'a valueFrom with both sources',
      {
        env: [
          {
            name: 'A',
            valueFrom: { secretKeyRef: { name: 's', key: 'k' }, configMapKeyRef: { name: 'c', key: 'k' } },
          },
        ],
      },
    ],
    ['an unknown field', { gpus: 1 }],
  ])('should refuse %s', (_case, fields) => {
    expect(WorkerEngineSchema.safeParse({ kind: 'openai-videos', image: 'x', ...fields }).success).toBe(
      false,
    );
  });

  it('should refuse a variable with both a value and a source, and a name listed twice', () => {
    const base = { kind: 'openai-videos', image: 'x' };
    expect(
      messages({
        ...base,
        env: [{ name: 'A', value: '1', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
      }),
    ).toEqual([ENGINE_ENV_VALUE_ERROR]);
    expect(
      messages({
        ...base,
        env: [
          { name: 'A', value: '1' },
          { name: 'A', value: '2' },
        ],
      }),
    ).toEqual(['engine.env names must be unique: A is listed twice']);
  });
});
