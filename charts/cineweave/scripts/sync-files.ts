// `npm run -w charts/cineweave sync`: copies what the chart ships but does not own into it
// (helm can only read files inside the chart): the operator's CRDs and the Grafana dashboard; and
// writes the chart's alerts as a plain Prometheus rules file for clusters without the Prometheus
// operator. A chart test fails when a copy is stale.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { helm, installTools } from '../test/support/tools.ts';
import { formatLikePrettier } from './format.ts';
import { grafanaDashboard } from './grafana-dashboard.ts';

export const chartDir = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const crdSourceDir = `${repoRoot}operator/crds/`;
export const crdChartDir = `${chartDir}crds/`;
export const dashboardFile = `${repoRoot}deploy/grafana/cineweave-dashboard.json`;
export const dashboardChartFile = `${chartDir}dashboards/cineweave-dashboard.json`;

export const alertRulesFile = `${repoRoot}deploy/prometheus/cineweave-alerts.yaml`;

/** The PrometheusRule's groups with the default thresholds, as a `rule_files` entry of Prometheus. */
export async function alertRulesYaml(): Promise<string> {
  await installTools();
  const { stdout } = await helm([
    'template',
    'cineweave',
    '.',
    '--set',
    'monitoring.prometheusRules=true',
    // Only the rules are kept; the workers' signing Secret, required otherwise, is beside the point.
    '--set',
    'workers.contentCredentials.enabled=false',
    '--show-only',
    'templates/monitoring/prometheusrules.yaml',
  ]);
  const rule = parseAllDocuments(stdout)[0].toJS() as { spec: { groups: unknown[] } };
  const header =
    '# Generated from charts/cineweave/templates/monitoring/prometheusrules.yaml (default thresholds) by\n' +
    '# `npm run -w charts/cineweave sync`. For Prometheus without the operator: list it under rule_files.\n';
  return formatLikePrettier(
    header + stringify({ groups: rule.spec.groups }, { lineWidth: 0 }),
    alertRulesFile,
  );
}

export function dashboardJson(): Promise<string> {
  return formatLikePrettier(JSON.stringify(grafanaDashboard(), null, 2), dashboardFile);
}

export function crdFileNames(): string[] {
  return readdirSync(crdSourceDir).filter((name) => name.endsWith('.yaml'));
}

async function main(): Promise<void> {
  const dashboard = await dashboardJson();
  mkdirSync(crdChartDir, { recursive: true });
  for (const name of crdFileNames()) copyFileSync(`${crdSourceDir}${name}`, `${crdChartDir}${name}`);
  writeFileSync(dashboardFile, dashboard);
  mkdirSync(`${chartDir}dashboards`, { recursive: true });
  writeFileSync(dashboardChartFile, dashboard);
  mkdirSync(`${repoRoot}deploy/prometheus`, { recursive: true });
  writeFileSync(alertRulesFile, await alertRulesYaml());
  console.log(
    `Synced ${crdFileNames().length} CRDs and the Grafana dashboard into ${chartDir}, and ${alertRulesFile}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
