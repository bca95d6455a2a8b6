import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import type { KubeObject } from './render.ts';
import { chartDir } from './tools.ts';

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** Kinds served by CRDs the chart does not own: no schema here, checked by shape only. */
export const THIRD_PARTY_KINDS = new Set([
  'monitoring.coreos.com/v1/ServiceMonitor',
  'monitoring.coreos.com/v1/PrometheusRule',
]);

/** Validates a built-in object with the kubernetes-models OpenAPI validators; throws with the problems. */
export async function validateBuiltin(object: KubeObject): Promise<void> {
  let module: Record<string, ModelClass>;
  try {
    module = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`)) as Record<
      string,
      ModelClass
    >;
  } catch {
    throw new Error(
      `${object.apiVersion} ${object.kind} is not a Kubernetes API kind kubernetes-models knows`,
    );
  }
  new module[object.kind](object).validate();
}

type JsonSchema = Record<string, unknown>;

/**
 * A CRD version's schema as the API server enforces it, plus one rule servers do not apply:
 * unknown fields are errors rather than silently pruned, so a misspelt chart value shows up.
 */
function strict(schema: JsonSchema, atRoot = true): JsonSchema {
  const copy: JsonSchema = { ...schema };
  const properties = copy['properties'] as Record<string, JsonSchema> | undefined;
  if (properties) {
    copy['properties'] = Object.fromEntries(
      Object.entries(properties).map(([key, value]) => [
        key,
        key === 'metadata' && atRoot ? value : strict(value, false),
      ]),
    );
    if (copy['additionalProperties'] === undefined && !copy['x-kubernetes-preserve-unknown-fields']) {
      copy['additionalProperties'] = false;
    }
  }
  for (const key of ['items', 'additionalProperties'] as const) {
    const child = copy[key];
    if (child && typeof child === 'object') copy[key] = strict(child as JsonSchema, false);
  }
  return copy;
}

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema: { openAPIV3Schema: JsonSchema } }[];
  };
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const crdValidators = new Map<string, ValidateFunction>();

/** The chart's CRDs (crds/), by `group/version/Kind`. */
export function chartCrds(): Crd[] {
  return ['videojobs.cineweave.io.yaml', 'workerpools.cineweave.io.yaml'].map(
    (file) => parse(readFileSync(`${chartDir}crds/${file}`, 'utf8')) as Crd,
  );
}

export function validateCustom(object: KubeObject): void {
  const key = `${object.apiVersion}/${object.kind}`;
  if (crdValidators.size === 0) {
    for (const crd of chartCrds()) {
      for (const version of crd.spec.versions) {
        crdValidators.set(
          `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`,
          ajv.compile(strict(version.schema.openAPIV3Schema)),
        );
      }
    }
  }
  const validate = crdValidators.get(key);
  if (!validate) throw new Error(`${key} is served by no CRD of the chart`);
  const name = object.metadata.name;
  if (!validate(object)) {
    throw new Error(`${key} ${name}: ${ajv.errorsText(validate.errors, { separator: '; ' })}`);
  }
}
