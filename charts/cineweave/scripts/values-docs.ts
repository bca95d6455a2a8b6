// `npm run -w charts/cineweave docs`: writes README.md from the `# --` comments of values.yaml,
// helm-docs style. A chart test fails when README.md is stale or a value has no comment.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { formatLikePrettier } from './format.ts';
import { valuesSchemaJson } from './values-schema.ts';

export interface ValueDoc {
  key: string;
  type: string;
  default: string;
  description: string;
}

const chartDir = fileURLToPath(new URL('..', import.meta.url));
export const valuesFile = `${chartDir}values.yaml`;
export const readmeFile = `${chartDir}README.md`;
export const schemaFile = `${chartDir}values.schema.json`;

const KEY_LINE = /^(\s*)([A-Za-z0-9_.\-/"]+):(\s.*)?$/;

/**
 * Reads every key of values.yaml with its `# --` description. A documented key's children are
 * part of its default and need no comment; a key with neither its own nor an ancestor's comment
 * is reported by `undocumented`.
 */
export function readValueDocs(source: string): { docs: ValueDoc[]; undocumented: string[] } {
  const values = parse(source) as Record<string, unknown>;
  const docs: ValueDoc[] = [];
  const undocumented: string[] = [];
  const stack: { indent: number; key: string; documented: boolean }[] = [];
  let pending: string[] | null = null;

  for (const line of source.split('\n')) {
    const comment = /^\s*# ?(.*)$/.exec(line);
    if (comment && !line.trimStart().startsWith('##')) {
      const text = comment[1];
      if (text.startsWith('-- ')) pending = [text.slice(3).trim()];
      else if (pending) pending.push(text.trim());
      continue;
    }
    const match = KEY_LINE.exec(line);
    if (!match) {
      if (line.trim() === '' || line.trimStart().startsWith('##')) pending = null;
      continue;
    }
    const indent = match[1].length;
    const key = match[2].replace(/"/g, '');
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
    const path = [...stack.map((entry) => entry.key), key];
    const underDocumented = stack.some((entry) => entry.documented);
    const value = path.reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], values);
    const isSection = isMap(value) && Object.keys(value).length > 0;

    if (pending && underDocumented) {
      undocumented.push(`${path.join('.')} (documented inside an already documented key)`);
    } else if (pending) {
      docs.push({
        key: path.join('.'),
        type: typeOf(value),
        default: JSON.stringify(value),
        description: pending.join(' '),
      });
    } else if (!underDocumented && !isSection) {
      undocumented.push(path.join('.'));
    }
    stack.push({ indent, key, documented: pending !== null || underDocumented });
    pending = null;
  }
  return { docs, undocumented };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (isMap(value)) return 'object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  return 'string';
}

const escape = (text: string) => text.replace(/\|/g, '\\|');

/** README.md and values.schema.json as the generator writes them, from the text of values.yaml. */
export async function generatedDocs(valuesSource: string): Promise<{ readme: string; schema: string }> {
  const { docs } = readValueDocs(valuesSource);
  return {
    readme: await formatLikePrettier(renderReadme(docs), readmeFile),
    schema: await formatLikePrettier(valuesSchemaJson(valuesSource), schemaFile),
  };
}

export function renderReadme(docs: ValueDoc[]): string {
  const rows = docs.map(
    (doc) => `| ${doc.key} | ${doc.type} | \`${escape(doc.default)}\` | ${escape(doc.description)} |`,
  );
  return `# CineWeave Helm chart

<!-- Generated from values.yaml by \`npm run -w charts/cineweave docs\`; edit the \`# --\` comments there. -->

Installs CineWeave on a Kubernetes cluster with NVIDIA GPU nodes: the API, the web portal, the operator
(VideoJob and WorkerPool CRDs, GPU worker autoscaling, leader election), a database migration Job, a
default WorkerPool, an Ingress, NetworkPolicies, ServiceMonitors, PrometheusRules and a Grafana dashboard.
Postgres, Redis and MinIO are bundled for evaluation, or point the chart at your own.

\`\`\`bash
helm install cineweave charts/cineweave -n cineweave --create-namespace -f values.yaml
kubectl label namespace cineweave pod-security.kubernetes.io/enforce=restricted
\`\`\`

Prerequisites, models, storage, sign-in, sizing, upgrades, backups and alerts:
[docs/deployment.md](../../docs/deployment.md). Test scenarios: \`ci/*-values.yaml\`.

## Values

| Key | Type | Default | Description |
| --- | --- | --- | --- |
${rows.join('\n')}
`;
}

async function main(): Promise<void> {
  const source = readFileSync(valuesFile, 'utf8');
  const { docs, undocumented } = readValueDocs(source);
  if (undocumented.length > 0) {
    console.error(`Add a "# --" comment above these keys of values.yaml:\n  ${undocumented.join('\n  ')}`);
    process.exit(1);
  }
  const { readme, schema } = await generatedDocs(source);
  writeFileSync(readmeFile, readme);
  writeFileSync(schemaFile, schema);
  console.log(`Wrote ${docs.length} values to ${readmeFile} and ${schemaFile}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
