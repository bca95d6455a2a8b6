// `npm run -w charts/cineweave sync`: copies what the chart ships but does not own into it
// (helm can only read files inside the chart): the operator's CRDs and the Grafana dashboard.
// A chart test fails when a copy is stale.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatLikePrettier } from './format.ts';
import { grafanaDashboard } from './grafana-dashboard.ts';

export const chartDir = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const crdSourceDir = `${repoRoot}operator/crds/`;
export const crdChartDir = `${chartDir}crds/`;
export const dashboardFile = `${repoRoot}deploy/grafana/cineweave-dashboard.json`;
export const dashboardChartFile = `${chartDir}dashboards/cineweave-dashboard.json`;

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
  console.log(`Synced ${crdFileNames().length} CRDs and the Grafana dashboard into ${chartDir}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
