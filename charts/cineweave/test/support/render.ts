import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { chartDir, helm, renderCacheDir } from './tools.ts';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export const RELEASE = 'cw';
export const NAMESPACE = 'cineweave';
/** The APIs a cluster with the Prometheus operator serves: monitoring renders on `auto`. */
export const MONITORING_APIS = [
  'monitoring.coreos.com/v1/ServiceMonitor',
  'monitoring.coreos.com/v1/PrometheusRule',
];

export const ciValuesFiles: string[] = readdirSync(`${chartDir}ci`)
  .filter((name) => name.endsWith('-values.yaml'))
  .sort();

const cache = new Map<string, Promise<KubeObject[]>>();

/**
 * `helm template` of the chart with one ci values file, parsed. Cached per arguments in memory and,
 * for the other test files' workers, on disk for the length of one run (the global setup empties it).
 */
export function renderChart(valuesFile: string | null, extraArgs: string[] = []): Promise<KubeObject[]> {
  const args = ['template', RELEASE, '.', '--namespace', NAMESPACE, ...extraArgs];
  if (valuesFile) args.push('--values', `ci/${valuesFile}`);
  const key = args.join(' ');
  let rendered = cache.get(key);
  if (!rendered) {
    rendered = renderOnce(args, key).then(parseObjects);
    cache.set(key, rendered);
  }
  return rendered;
}

async function renderOnce(args: string[], key: string): Promise<string> {
  const file = `${renderCacheDir}${createHash('sha256').update(key).digest('hex').slice(0, 16)}.yaml`;
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const { stdout } = await helm(args);
  mkdirSync(renderCacheDir, { recursive: true });
  // Written aside then renamed, so a parallel reader never sees half a file.
  writeFileSync(`${file}.${process.pid}`, stdout);
  renameSync(`${file}.${process.pid}`, file);
  return stdout;
}

export function parseObjects(manifest: string): KubeObject[] {
  return parseAllDocuments(manifest)
    .map((document) => {
      if (document.errors.length > 0)
        throw new Error(`helm rendered invalid YAML: ${document.errors[0].message}`);
      return document.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null);
}

export function byKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((object) => object.kind === kind);
}
