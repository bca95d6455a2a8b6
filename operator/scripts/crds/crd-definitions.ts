import { z } from 'zod';
import {
  API_GROUP,
  API_VERSION,
  CATEGORY,
  ENGINE_ENV_VALUE_ERROR,
  ENGINE_IMAGE_REQUIRED_ERROR,
  ENGINE_SERVER_FIELDS,
  ENGINE_SERVER_FIELDS_ERROR,
  IMAGE_SOURCE_ERROR,
  MIN_ABOVE_MAX_ERROR,
  VIDEOJOB,
  VideoJobSpecSchema,
  VideoJobStatusSchema,
  WORKERPOOL,
  WorkerPoolSpecSchema,
  WorkerPoolStatusSchema,
} from '@cineweave/contracts';
import { format, resolveConfig } from 'prettier';
import { stringify } from 'yaml';
import { checkCrd } from './crd-checks.ts';
import type { CelRule, StructuralSchema } from './structural-schema.ts';
import { toStructuralSchema } from './structural-schema.ts';

/** Message of the spec immutability rule: what happened and what to do instead. */
export const SPEC_IMMUTABLE_MESSAGE =
  'spec is immutable once the VideoJob is created; delete it and apply a new VideoJob to render something else';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: 'Namespaced' | 'Cluster';
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
      schema: { openAPIV3Schema: StructuralSchema };
    }>;
  };
}

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function structural(schema: z.ZodType): StructuralSchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }) as Record<string, unknown>;
  return toStructuralSchema(json, {
    oneOfMessage: (fields, path) =>
      path === '.image'
        ? IMAGE_SOURCE_ERROR
        : `${path.slice(1).replace(/\[\]/g, '')} takes exactly one of ${fields.join(' or ')}`,
  });
}

function resourceSchema(
  description: string,
  spec: StructuralSchema,
  status: StructuralSchema,
  specRequired: boolean,
): StructuralSchema {
  return {
    type: 'object',
    description,
    ...(specRequired ? { required: ['spec'] } : {}),
    properties: {
      apiVersion: {
        type: 'string',
        description:
          'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
      },
      kind: {
        type: 'string',
        description:
          'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.',
      },
      // Root metadata may only say `type: object` (and restrict name/generateName): the apiserver owns
      // ObjectMeta's schema and refuses anything more, a description included.
      metadata: { type: 'object' },
      spec,
      status,
    },
  };
}

function crd(
  names: { kind: string; plural: string; singular: string; shortNames: readonly string[] },
  schema: StructuralSchema,
  columns: PrinterColumn[],
): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${names.plural}.${API_GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'cineweave' },
    },
    spec: {
      group: API_GROUP,
      names: {
        kind: names.kind,
        listKind: `${names.kind}List`,
        plural: names.plural,
        singular: names.singular,
        shortNames: [...names.shortNames],
        categories: [CATEGORY],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: columns,
          schema: { openAPIV3Schema: schema },
        },
      ],
    },
  };
}

function withRules(schema: StructuralSchema, rules: CelRule[]): StructuralSchema {
  return { ...schema, 'x-kubernetes-validations': [...(schema['x-kubernetes-validations'] ?? []), ...rules] };
}

export function videoJobCrd(): CustomResourceDefinition {
  const spec = withRules(
    {
      ...structural(VideoJobSpecSchema),
      description: 'What to render. Immutable once the VideoJob is created.',
    },
    [{ rule: 'self == oldSelf', message: SPEC_IMMUTABLE_MESSAGE }],
  );
  const status: StructuralSchema = {
    ...structural(VideoJobStatusSchema),
    description: 'What the operator observed; written only through the status subresource.',
  };
  return crd(
    VIDEOJOB,
    resourceSchema(
      'VideoJob renders one video with CineWeave: text-to-video, or image-to-video when spec.image is set.',
      spec,
      status,
      true,
    ),
    [
      {
        name: 'Phase',
        type: 'string',
        jsonPath: '.status.phase',
        description: 'Where the job is in its life.',
      },
      {
        name: 'Progress',
        type: 'integer',
        jsonPath: '.status.progress',
        description: 'Rendering progress in percent.',
      },
      {
        name: 'Position',
        type: 'integer',
        jsonPath: '.status.queuePosition',
        description: 'Jobs ahead of this one while Queued.',
      },
      {
        name: 'ETA',
        type: 'integer',
        jsonPath: '.status.queueEtaSeconds',
        description: 'While Queued: estimated seconds until the video is done.',
      },
      {
        // The model the API chose, not spec.model: a spec that names none still has one.
        name: 'Model',
        type: 'string',
        jsonPath: '.status.model',
        description: 'Model that renders the video.',
      },
      AGE,
      {
        name: 'Job',
        type: 'string',
        jsonPath: '.status.jobId',
        description: 'Job id in the API.',
        priority: 1,
      },
      { name: 'Message', type: 'string', jsonPath: '.status.message', description: 'Detail.', priority: 1 },
    ],
  );
}

/**
 * The engine's rules, which zod states in a refinement the JSON Schema cannot carry: a server engine
 * needs its image, the onnx engine takes none of the server's fields, and env is a map keyed by
 * name (so the apiserver refuses a name twice, and server-side apply merges entries by name). `kind`
 * is always present (it has a default), the other fields are guarded with has().
 */
function withEngineRules(engine: StructuralSchema): StructuralSchema {
  const env = engine.properties?.env;
  const entry = env?.items;
  if (!env || !entry) throw new Error('spec.engine.env is missing from the WorkerPool schema');
  const anyServerField = ENGINE_SERVER_FIELDS.map((field) => `has(self.${field})`).join(' || ');
  return withRules(
    {
      ...engine,
      properties: {
        ...engine.properties,
        env: {
          ...env,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: withRules(entry, [
            { rule: '!(has(self.value) && has(self.valueFrom))', message: ENGINE_ENV_VALUE_ERROR },
          ]),
        },
      },
    },
    [
      {
        rule: "self.kind != 'openai-videos' || has(self.image)",
        message: ENGINE_IMAGE_REQUIRED_ERROR,
        fieldPath: '.image',
      },
      {
        rule: `self.kind == 'openai-videos' || !(${anyServerField})`,
        message: ENGINE_SERVER_FIELDS_ERROR,
        fieldPath: '.kind',
      },
    ],
  );
}

export function workerPoolCrd(): CustomResourceDefinition {
  const generated = structural(WorkerPoolSpecSchema);
  const engine = generated.properties?.engine;
  if (!engine) throw new Error('spec.engine is missing from the WorkerPool schema');
  const spec = withRules(
    {
      ...generated,
      properties: { ...generated.properties, engine: withEngineRules(engine) },
      description: 'Which model the pool serves, how far it scales and how its GPU worker pods look.',
      // Without a default, an omitted spec would skip every nested default. The apiserver checks a
      // default against the node's CEL rules without defaulting inside it, so `{}` would fail
      // `self.minReplicas <= self.maxReplicas`: the default is the fully defaulted spec instead.
      default: WorkerPoolSpecSchema.parse({}),
    },
    [
      {
        rule: 'self.minReplicas <= self.maxReplicas',
        message: MIN_ABOVE_MAX_ERROR,
        fieldPath: '.minReplicas',
      },
    ],
  );
  const status: StructuralSchema = {
    ...structural(WorkerPoolStatusSchema),
    description: 'What the operator observed; written only through the status subresource.',
  };
  return crd(
    WORKERPOOL,
    resourceSchema('WorkerPool runs and autoscales the GPU workers of one model.', spec, status, false),
    [
      {
        name: 'Model',
        type: 'string',
        jsonPath: '.spec.model',
        description: 'Model the pool serves.',
        priority: 1,
      },
      {
        name: 'Desired',
        type: 'integer',
        jsonPath: '.status.desiredReplicas',
        description: 'Workers wanted.',
      },
      {
        name: 'Ready',
        type: 'integer',
        jsonPath: '.status.readyReplicas',
        description: 'Workers taking jobs.',
      },
      {
        name: 'Backlog',
        type: 'integer',
        jsonPath: '.status.backlog',
        description: 'Waiting + active jobs.',
      },
      {
        name: 'Engine',
        type: 'string',
        jsonPath: '.spec.engine.kind',
        description: 'What renders: onnx when empty, or openai-videos.',
        priority: 1,
      },
      { name: 'Min', type: 'integer', jsonPath: '.spec.minReplicas', priority: 1 },
      { name: 'Max', type: 'integer', jsonPath: '.spec.maxReplicas', priority: 1 },
      AGE,
    ],
  );
}

export const CRD_HEADER =
  '# Generated from the @cineweave/contracts zod schemas by operator/scripts/generate-crds.ts.\n' +
  '# Do not edit: change the contracts and run `npm run -w operator crds:generate`.\n';

/**
 * The committed YAML of every CRD, by file name, formatted with the repository's Prettier settings
 * so that `npm run format:check` and the drift test agree on one text.
 */
export async function renderCrds(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const definition of [videoJobCrd(), workerPoolCrd()]) {
    checkCrd(definition);
    const file = `${definition.metadata.name}.yaml`;
    const config = (await resolveConfig(new URL(`../../crds/${file}`, import.meta.url))) ?? {};
    const text = await format(CRD_HEADER + stringify(definition, { lineWidth: 0 }), {
      ...config,
      parser: 'yaml',
    });
    files.set(file, text);
  }
  return files;
}
