import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { API_METRICS, OPERATOR_METRICS, WORKER_METRICS } from '@cineweave/contracts';
import { describe, expect, it } from 'vitest';
import { dashboardExpressions } from '../scripts/grafana-dashboard.ts';
import {
  alertRulesFile,
  alertRulesYaml,
  crdChartDir,
  crdFileNames,
  crdSourceDir,
  dashboardChartFile,
  dashboardFile,
  dashboardJson,
} from '../scripts/sync-files.ts';
import { generatedDocs, readValueDocs, readmeFile, schemaFile, valuesFile } from '../scripts/values-docs.ts';
import { byKind, renderChart } from './support/render.ts';

const read = (path: string) => readFileSync(path, 'utf8');
const SYNC = 'run `npm run -w charts/cineweave sync`';
const DOCS = 'run `npm run -w charts/cineweave docs`';

/** Every metric some component exports (libs/contracts metric-names.ts): alerts and dashboards may read only these. */
const KNOWN_METRICS = new Set<string>([
  ...Object.values(API_METRICS),
  ...Object.values(WORKER_METRICS),
  ...Object.values(OPERATOR_METRICS),
]);

function metricsIn(expressions: string[]): string[] {
  const names = expressions.flatMap((expr) => expr.match(/cineweave_[a-z0-9_]+/g) ?? []);
  return [...new Set(names.map((name) => name.replace(/_(bucket|count|sum)$/, '')))].sort();
}

describe('files the chart copies or generates', () => {
  it('should ship CRDs identical to operator/crds when synced', () => {
    expect(crdFileNames().sort()).toEqual(['videojobs.cineweave.io.yaml', 'workerpools.cineweave.io.yaml']);
    for (const name of crdFileNames()) {
      expect(read(`${crdChartDir}${name}`), `crds/${name} differs from operator/crds: ${SYNC}`).toBe(
        read(`${crdSourceDir}${name}`),
      );
    }
  });

  it('should ship the Grafana dashboard of deploy/grafana, generated from the contracts', async () => {
    const expected = await dashboardJson();
    expect(read(dashboardFile), `deploy/grafana is stale: ${SYNC}`).toBe(expected);
    expect(read(dashboardChartFile), `the chart's dashboard copy is stale: ${SYNC}`).toBe(expected);
  });

  it('should ship the alerts as a plain Prometheus rules file in deploy/prometheus', async () => {
    expect(read(alertRulesFile), `deploy/prometheus is stale: ${SYNC}`).toBe(await alertRulesYaml());
  });

  it('should document every key of values.yaml with a # -- comment', () => {
    const { docs, undocumented } = readValueDocs(read(valuesFile));
    expect(undocumented).toEqual([]);
    expect(docs.length).toBeGreaterThan(100);
  });

  it('should find an undocumented key when a comment is missing', () => {
    const { undocumented } = readValueDocs(
      'a:\n  # -- Documented.\n  b: 1\n  c: 2\n# -- Whole map.\nd:\n  e: 1\n',
    );
    expect(undocumented).toEqual(['a.c']);
  });

  it('should keep README.md and values.schema.json generated from values.yaml', async () => {
    const { readme, schema } = await generatedDocs(read(valuesFile));
    expect(read(readmeFile), `README.md is stale: ${DOCS}`).toBe(readme);
    expect(read(schemaFile), `values.schema.json is stale: ${DOCS}`).toBe(schema);
  });

  it('should use only metrics the components export (or the listed proposals) in alerts and dashboard', async () => {
    const objects = await renderChart('external-services-values.yaml');
    const rules = byKind(objects, 'PrometheusRule').flatMap((rule) =>
      (rule['spec'] as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap(
        (group) => group.rules,
      ),
    );
    expect(rules.map((rule) => rule.alert).sort()).toEqual([
      'CineWeaveApi5xxRatioHigh',
      'CineWeaveBacklogNoWorkers',
      'CineWeaveJobFailureRatioHigh',
      'CineWeavePoolAtMaxReplicas',
      'CineWeaveReservationUnsettled',
    ]);
    const used = metricsIn([...rules.map((rule) => rule.expr), ...dashboardExpressions()]);
    expect(used.filter((name) => !KNOWN_METRICS.has(name))).toEqual([]);
  });

  it('should document every alert in docs/deployment.md', async () => {
    const docs = read(fileURLToPath(new URL('../../../docs/deployment.md', import.meta.url)));
    const objects = await renderChart('external-services-values.yaml');
    for (const rule of byKind(objects, 'PrometheusRule')) {
      for (const group of (rule['spec'] as { groups: { rules: { alert: string }[] }[] }).groups) {
        for (const { alert } of group.rules) expect(docs).toContain(alert);
      }
    }
  });
});
