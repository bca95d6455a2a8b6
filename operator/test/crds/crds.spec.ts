import { readFile } from 'node:fs/promises';
import { VideoJobSpecSchema, WorkerPoolSpecSchema } from '@cineweave/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkCrd, CrdRefusedError } from '../../scripts/crds/crd-checks.ts';
import type { CustomResourceDefinition } from '../../scripts/crds/crd-definitions.ts';
import { renderCrds, videoJobCrd, workerPoolCrd } from '../../scripts/crds/crd-definitions.ts';
import type { StructuralSchema } from '../../scripts/crds/structural-schema.ts';
import { toStructuralSchema, UndescribedFieldsError } from '../../scripts/crds/structural-schema.ts';
import { CRD_DIRECTORY, readCrds } from '../kube-api-server/custom-resources.ts';
import { KubeApiServer } from '../kube-api-server/kube-api-server.ts';
import { applyDefaults } from '../kube-api-server/structural-defaults.ts';

/** Every schema node with its path, to check rules that hold everywhere in a structural schema. */
function* nodes(schema: StructuralSchema, path = ''): Generator<[string, StructuralSchema]> {
  yield [path, schema];
  for (const [name, child] of Object.entries(schema.properties ?? {})) yield* nodes(child, `${path}.${name}`);
  if (schema.items) yield* nodes(schema.items, `${path}[]`);
  if (schema.additionalProperties) yield* nodes(schema.additionalProperties, `${path}[*]`);
}

describe('CRDs', () => {
  it('should match the committed YAML when generated from the contracts (run crds:generate if not)', async () => {
    const rendered = await renderCrds();
    expect([...rendered.keys()].sort()).toEqual([
      'videojobs.cineweave.io.yaml',
      'workerpools.cineweave.io.yaml',
    ]);
    for (const [file, text] of rendered) {
      await expect(
        readFile(`${CRD_DIRECTORY}${file}`, 'utf8'),
        `${file} drifted from the contracts`,
      ).resolves.toBe(text);
    }
  });

  it.each([
    ['VideoJob', videoJobCrd()],
    ['WorkerPool', workerPoolCrd()],
  ])('should give %s a structural schema with a description on every field', (_kind, crd) => {
    const schema = crd.spec.versions[0].schema.openAPIV3Schema;
    // Root metadata may only be `type: object` (the apiserver refuses a description there).
    expect(schema.properties?.metadata).toEqual({ type: 'object' });
    for (const [path, node] of nodes(schema)) {
      if (path === '.metadata') continue;
      if (!path.endsWith('[]') && !path.endsWith('[*]'))
        expect(node.description, `${path} has no description`).toBeTruthy();
      const typed = node.type !== undefined || node['x-kubernetes-int-or-string'] === true;
      expect(typed, `${path} has no type`).toBe(true);
      expect(node).not.toHaveProperty('additionalProperties', false);
      expect(node).not.toHaveProperty('$schema');
      expect(node).not.toHaveProperty('propertyNames');
      if (node.anyOf) expect(node['x-kubernetes-int-or-string'], `${path} has a bare anyOf`).toBe(true);
    }
  });

  it('should name the kinds, short names, category, status subresource and printer columns', () => {
    const videoJob = videoJobCrd();
    expect(videoJob.metadata.name).toBe('videojobs.cineweave.io');
    expect(videoJob.spec.names).toMatchObject({
      kind: 'VideoJob',
      shortNames: ['vj'],
      categories: ['cineweave'],
    });
    const version = videoJob.spec.versions[0];
    expect(version.name).toBe('v1alpha1');
    expect(version.subresources).toEqual({ status: {} });
    expect(version.additionalPrinterColumns.filter((c) => !c.priority).map((c) => c.name)).toEqual([
      'Phase',
      'Progress',
      'Position',
      'ETA',
      'Model',
      'Age',
    ]);
    const workerPool = workerPoolCrd();
    expect(workerPool.spec.names.shortNames).toEqual(['wp']);
    expect(
      workerPool.spec.versions[0].additionalPrinterColumns.filter((c) => !c.priority).map((c) => c.name),
    ).toEqual(['Desired', 'Ready', 'Backlog', 'Age']);
  });

  it('should make the VideoJob spec immutable with a CEL rule that says what to do', () => {
    const spec = videoJobCrd().spec.versions[0].schema.openAPIV3Schema.properties!.spec;
    expect(spec['x-kubernetes-validations']).toEqual([
      { rule: 'self == oldSelf', message: expect.stringContaining('spec is immutable') },
    ]);
  });

  it('should default a spec exactly as the contracts schema does', () => {
    const videoJobSpec = videoJobCrd().spec.versions[0].schema.openAPIV3Schema.properties!.spec;
    const applied: Record<string, unknown> = { prompt: 'waves' };
    applyDefaults(applied, videoJobSpec);
    expect(applied).toEqual(VideoJobSpecSchema.parse({ prompt: 'waves' }));

    const workerPool = workerPoolCrd().spec.versions[0].schema.openAPIV3Schema;
    const object: Record<string, unknown> = {};
    applyDefaults(object, workerPool);
    expect(object.spec).toEqual(WorkerPoolSpecSchema.parse({}));
  });

  it('should parse back from YAML to the same definitions', async () => {
    const text = await readFile(`${CRD_DIRECTORY}videojobs.cineweave.io.yaml`, 'utf8');
    expect(parse(text)).toEqual(JSON.parse(JSON.stringify(videoJobCrd())));
  });
});

describe(toStructuralSchema.name, () => {
  it('should refuse a field without a description', () => {
    expect(() =>
      toStructuralSchema({ type: 'object', properties: { replicas: { type: 'integer' } } }),
    ).toThrow(UndescribedFieldsError);
  });

  it('should turn a union of one-field objects into one object with an exactly-one CEL rule', () => {
    const schema = toStructuralSchema({
      anyOf: [
        {
          type: 'object',
          properties: { a: { type: 'string', description: 'A' } },
          required: ['a'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: { b: { type: 'string', description: 'B' } },
          required: ['b'],
          additionalProperties: false,
        },
      ],
    });
    expect(schema).toMatchObject({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' } },
      'x-kubernetes-validations': [{ rule: '(has(self.a) ? 1 : 0) + (has(self.b) ? 1 : 0) == 1' }],
    });
  });

  it('should turn string | number into an int-or-string quantity', () => {
    const schema = toStructuralSchema({ anyOf: [{ type: 'string' }, { type: 'number' }] });
    expect(schema['x-kubernetes-int-or-string']).toBe(true);
  });

  it('should refuse a union it cannot express structurally', () => {
    expect(() =>
      toStructuralSchema({ anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string' } }] }),
    ).toThrow(/no structural form/);
  });
});

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

describe('CRDs on the test API server', () => {
  let server: KubeApiServer;

  beforeAll(async () => {
    server = await KubeApiServer.start({ crds: [] });
  });
  afterAll(() => server.close());

  async function create(crd: unknown): Promise<{ status: number; body: { message?: string } }> {
    const response = await fetch(`${server.url}${CRD_PATH}?fieldManager=test`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(crd),
    });
    return { status: response.status, body: (await response.json()) as { message?: string } };
  }

  it('should refuse the CRDs shipped before issue 14 as kube-apiserver did', async () => {
    const [videoJob] = await readCrds(FIXTURES).then((crds) =>
      crds.filter((c) => c.spec.names.kind === 'VideoJob'),
    );
    const [workerPool] = await readCrds(FIXTURES).then((crds) =>
      crds.filter((c) => c.spec.names.kind === 'WorkerPool'),
    );
    const refusedVideoJob = await create(videoJob);
    expect(refusedVideoJob.status).toBe(422);
    // The message kube-apiserver gave in issue 14.
    expect(refusedVideoJob.body.message).toContain(
      'spec.validation.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
    );

    const refusedWorkerPool = await create(workerPool);
    expect(refusedWorkerPool.status).toBe(422);
    expect(refusedWorkerPool.body.message).toContain('properties[metadata]: Forbidden');
    // With the metadata mended by hand, the spec default `{}` still fails its own CEL rule.
    const mended = structuredClone(workerPool);
    const root = mended.spec.versions[0].schema.openAPIV3Schema;
    root.properties!.metadata = { type: 'object' };
    const refusedDefault = await create(mended);
    expect(refusedDefault.status).toBe(422);
    expect(refusedDefault.body.message).toContain(
      'spec.validation.openAPIV3Schema.properties[spec].default.minReplicas: Invalid value: "object": no such key: minReplicas evaluating rule: self.minReplicas <= self.maxReplicas',
    );
  });

  it('should accept the generated CRDs and serve their kinds', async () => {
    for (const crd of await readCrds()) {
      const { status, body } = await create(crd);
      expect(status, body.message).toBe(201);
    }
    const response = await fetch(`${server.url}/apis/cineweave.io/v1alpha1`);
    expect(response.status).toBe(200);
  });
});

describe(checkCrd.name, () => {
  function refusal(crd: CustomResourceDefinition): string[] {
    try {
      checkCrd(crd);
    } catch (error) {
      if (error instanceof CrdRefusedError) return error.problems;
      throw error;
    }
    return [];
  }

  it('should pass the generated CRDs', () => {
    expect(refusal(videoJobCrd())).toEqual([]);
    expect(refusal(workerPoolCrd())).toEqual([]);
  });

  it('should refuse root metadata that says more than type: object', () => {
    const crd = videoJobCrd();
    crd.spec.versions[0].schema.openAPIV3Schema.properties!.metadata = {
      type: 'object',
      description: "Standard object's metadata.",
    };
    expect(refusal(crd)).toEqual([
      'spec.validation.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
    ]);
  });

  it('should refuse a default that fails a CEL rule of its node', () => {
    const crd = workerPoolCrd();
    crd.spec.versions[0].schema.openAPIV3Schema.properties!.spec.default = {};
    expect(refusal(crd)).toEqual([
      expect.stringContaining(
        'properties[spec].default.minReplicas: Invalid value: "object": no such key: minReplicas',
      ),
    ]);
    const inverted = workerPoolCrd();
    inverted.spec.versions[0].schema.openAPIV3Schema.properties!.spec.default = {
      minReplicas: 3,
      maxReplicas: 1,
    };
    expect(refusal(inverted)).toEqual([
      expect.stringContaining(
        'properties[spec].default.minReplicas: Invalid value: "object": minReplicas must not exceed maxReplicas',
      ),
    ]);
  });

  it('should refuse a default outside its own schema', () => {
    const crd = workerPoolCrd();
    crd.spec.versions[0].schema.openAPIV3Schema.properties!.spec.properties!.maxReplicas.default = 5000;
    expect(refusal(crd)).toEqual([
      expect.stringContaining('properties[maxReplicas].default: Invalid value: 5000'),
    ]);
  });
});

describe(`${checkCrd.name} against the minimum Kubernetes version`, () => {
  it('should refuse a field of the CRD API newer than the minimum version', () => {
    const crd = videoJobCrd();
    const rules =
      crd.spec.versions[0].schema.openAPIV3Schema.properties?.spec['x-kubernetes-validations'] ?? [];
    // optionalOldSelf (CRD validation ratcheting) is alpha, off by default, in Kubernetes 1.29.
    Object.assign(rules[0], { optionalOldSelf: true });
    expect(() => checkCrd(crd)).toThrow(
      /spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\.spec\.x-kubernetes-validations\[0\]\.optionalOldSelf: Forbidden: behind the CRDValidationRatcheting feature gate, off by default in Kubernetes 1\.29/,
    );
    const selectable = workerPoolCrd();
    Object.assign(selectable.spec.versions[0], { selectableFields: [{ jsonPath: '.spec.model' }] });
    expect(() => checkCrd(selectable)).toThrow(/spec\.versions\[0\]\.selectableFields: unknown field/);
  });
});
