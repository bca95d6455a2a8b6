import { describe, expect, it } from 'vitest';
import { videoJobCrd, workerPoolCrd } from '../../scripts/crds/crd-definitions.ts';
import { StructuralValidator } from './structural-validation.ts';

const videoJobs = new StructuralValidator(videoJobCrd().spec.versions[0].schema.openAPIV3Schema);
const workerPools = new StructuralValidator(workerPoolCrd().spec.versions[0].schema.openAPIV3Schema);
const job = (spec: Record<string, unknown>) => ({
  apiVersion: 'cineweave.io/v1alpha1',
  kind: 'VideoJob',
  spec: { prompt: 'p', model: 'm', ...spec },
});

describe(StructuralValidator.name, () => {
  it('should accept a valid VideoJob', () => {
    expect(videoJobs.validate(job({ image: { uploadId: '3f9c8a7e-6d5b-4c4a-9b3a-2e1f0d9c8b7a' } }))).toEqual(
      [],
    );
  });

  it('should word schema problems as the apiserver does', () => {
    expect(videoJobs.validate(job({ fps: 'fast', steps: 0 }))).toEqual([
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.fps',
        message: 'Invalid value: "string": spec.fps in body must be of type integer: "string"',
      },
      {
        reason: 'FieldValueInvalid',
        field: 'spec.steps',
        message: 'Invalid value: 0: spec.steps in body should be greater than or equal to 1',
      },
    ]);
    expect(videoJobs.validate(job({ image: { uploadId: 'not-a-uuid' } }))[0].message).toContain(
      'must be of type uuid',
    );
  });

  it('should run transition rules only on updates', () => {
    const before = job({ seed: 1 });
    expect(videoJobs.validate(job({ seed: 2 }))).toEqual([]);
    expect(videoJobs.validate(job({ seed: 2 }), before)).toEqual([
      expect.objectContaining({ field: 'spec', message: expect.stringContaining('spec is immutable') }),
    ]);
    expect(videoJobs.validate(job({ seed: 1 }), before)).toEqual([]);
  });

  it('should compare integers in CEL rules as integers and point at the rule field path', () => {
    const pool = (spec: Record<string, unknown>) => ({ spec: { minReplicas: 0, maxReplicas: 1, ...spec } });
    expect(workerPools.validate(pool({ minReplicas: 2, maxReplicas: 10 }))).toEqual([]);
    expect(workerPools.validate(pool({ minReplicas: 3, maxReplicas: 2 }))).toEqual([
      expect.objectContaining({
        field: 'spec.minReplicas',
        message: 'Invalid value: "object": minReplicas must not exceed maxReplicas',
      }),
    ]);
  });

  // Cases of apiextensions-apiserver pkg/apiserver/schema/listtype/validation_test.go.
  it('should refuse repeated items of a set list and repeated keys of a map list as the apiserver does', () => {
    const validator = new StructuralValidator({
      type: 'object',
      properties: {
        set: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        plain: { type: 'array', items: { type: 'string' } },
        map: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['a'],
          items: {
            type: 'object',
            properties: { a: { type: 'string' }, c: { type: 'string' } },
          },
        },
      },
    });
    expect(
      validator.validate({
        set: ['a', 'a', 'b', 'c', 'd', 'c'],
        plain: ['a', 'b', 'a'],
        map: [{ a: '0', c: '2' }, { a: '1', c: '1' }, { a: '1', c: '2' }, {}],
      }),
    ).toEqual([
      { reason: 'FieldValueDuplicate', field: 'set[1]', message: 'Duplicate value: "a"' },
      { reason: 'FieldValueDuplicate', field: 'set[5]', message: 'Duplicate value: "c"' },
      {
        reason: 'FieldValueDuplicate',
        field: 'map[2]',
        message: 'Duplicate value: map[string]interface {}{"a":"1"}',
      },
    ]);
    // The second appearance only, however often a value repeats ("multiple duplicates").
    expect(validator.validate({ set: ['b', 'c', 'b', 'c', 'c'] }).map((cause) => cause.field)).toEqual([
      'set[2]',
      'set[3]',
    ]);
  });

  it('should refuse a WorkerPool engine variable listed twice', () => {
    const pool = {
      spec: {
        minReplicas: 0,
        maxReplicas: 1,
        engine: {
          kind: 'openai-videos',
          image: 'vllm/vllm-omni:v0.25.0',
          env: [
            { name: 'HF_TOKEN', value: 'a' },
            { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } },
          ],
        },
      },
    };
    expect(workerPools.validate(pool)).toEqual([
      {
        reason: 'FieldValueDuplicate',
        field: 'spec.engine.env[1]',
        message: 'Duplicate value: map[string]interface {}{"name":"HF_TOKEN"}',
      },
    ]);
  });
});
