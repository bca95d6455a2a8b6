import { describe, expect, it } from 'vitest';
import { containersOf, podTemplates, type PodTemplate } from './support/pods.ts';
import { byKind, ciValuesFiles, renderChart, type KubeObject } from './support/render.ts';

/** Volume types Pod Security `restricted` allows. */
const RESTRICTED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

/** What Pod Security `restricted` (plus this chart's own rules) finds wrong with one pod; empty when none. */
function restrictedViolations(pod: PodTemplate): string[] {
  const problems: string[] = [];
  const spec = pod.spec;
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problems.push('uses host namespaces');
  if (spec.securityContext?.['runAsNonRoot'] !== true) problems.push('pod runAsNonRoot is not true');
  if (spec.securityContext?.['runAsUser'] === 0) problems.push('pod runs as uid 0');
  if (spec.securityContext?.seccompProfile?.type !== 'RuntimeDefault')
    problems.push('pod seccompProfile is not RuntimeDefault');
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((key) => key !== 'name') ?? '';
    if (!RESTRICTED_VOLUMES.includes(type)) problems.push(`volume ${String(volume['name'])} is a ${type}`);
  }
  for (const container of containersOf(pod)) {
    const context = container.securityContext ?? {};
    const where = `container ${container.name}`;
    if (context['allowPrivilegeEscalation'] !== false) problems.push(`${where} may escalate privileges`);
    if (context['privileged'] === true) problems.push(`${where} is privileged`);
    if (context['readOnlyRootFilesystem'] !== true) problems.push(`${where} root file system is writable`);
    if (context['runAsUser'] === 0) problems.push(`${where} runs as uid 0`);
    if (!context.capabilities?.drop?.includes('ALL'))
      problems.push(`${where} does not drop ALL capabilities`);
    if ((context.capabilities?.add ?? []).some((cap) => cap !== 'NET_BIND_SERVICE'))
      problems.push(`${where} adds capabilities`);
    if (!container.resources?.requests?.['cpu'] || !container.resources.requests['memory']) {
      problems.push(`${where} has no cpu and memory requests`);
    }
    if (!container.resources?.limits?.['memory']) problems.push(`${where} has no memory limit`);
  }
  return problems;
}

describe('Pod Security', () => {
  it.each(ciValuesFiles)(
    'should render every pod as Pod Security restricted allows when given ci/%s',
    async (file) => {
      const pods = podTemplates(await renderChart(file));
      expect(pods.length).toBeGreaterThanOrEqual(file === 'external-services-values.yaml' ? 4 : 7);
      const violations = pods.flatMap((pod) =>
        restrictedViolations(pod.template).map((problem) => `${pod.name}: ${problem}`),
      );
      expect(violations).toEqual([]);
    },
  );

  it('should cover the bundled stores and the migration Job when given the defaults', async () => {
    const names = podTemplates(await renderChart('default-values.yaml')).map((pod) => pod.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'Deployment/cw-cineweave-api',
        'Deployment/cw-cineweave-web',
        'Deployment/cw-cineweave-operator',
        'Job/cw-cineweave-migrations',
        'StatefulSet/cw-cineweave-postgresql',
        'StatefulSet/cw-cineweave-redis',
        'StatefulSet/cw-cineweave-minio',
      ]),
    );
  });

  it('should report each violation when a pod breaks the rules', () => {
    const bad: PodTemplate = {
      spec: {
        hostNetwork: true,
        securityContext: {},
        volumes: [{ name: 'models', hostPath: { path: '/models' } }],
        containers: [{ name: 'c', image: 'x', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }],
      },
    };
    expect(restrictedViolations(bad)).toHaveLength(10);
  });

  it('should schedule the model build Job on GPU nodes with the model claim when given the GPU pool scenario', async () => {
    const job = podTemplates(await renderChart('gpu-pool-values.yaml')).find((pod) =>
      pod.name.includes('build-model'),
    );
    expect(job?.template.spec.tolerations).toContainEqual({
      key: 'nvidia.com/gpu',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
    expect(job?.template.spec.volumes).toContainEqual({
      name: 'model',
      persistentVolumeClaim: { claimName: 'cw-cineweave-models' },
    });
  });

  it('should keep pods off hostPath volumes when the model cache is a node directory', async () => {
    const objects = await renderChart('gpu-pool-values.yaml', ['--set', 'workers.model.source=hostPath']);
    expect(byKind(objects, 'PersistentVolume')[0]?.['spec']).toMatchObject({
      hostPath: { path: '/var/lib/cineweave/models/wan2.2-ti2v-5b' },
    });
    expect(podTemplates(objects).flatMap((pod) => restrictedViolations(pod.template))).toEqual([]);
  });
});

describe('NetworkPolicies', () => {
  type Peer = {
    ipBlock?: { cidr: string; except?: string[] };
    podSelector?: unknown;
    namespaceSelector?: unknown;
  };
  type Rule = { to?: Peer[]; from?: Peer[] };
  const policyOf = (objects: KubeObject[], suffix: string) =>
    byKind(objects, 'NetworkPolicy').find((policy) => policy.metadata.name.endsWith(suffix))?.['spec'] as
      | {
          podSelector: { matchLabels: Record<string, string> };
          policyTypes: string[];
          egress?: Rule[];
          ingress?: Rule[];
        }
      | undefined;

  it.each(ciValuesFiles)('should deny by default every pod of the release when given ci/%s', async (file) => {
    const policy = policyOf(await renderChart(file), '-default-deny');
    expect(policy?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy?.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'cineweave',
      'app.kubernetes.io/instance': 'cw',
    });
    expect(policy?.ingress ?? []).toEqual([]);
  });

  it.each(ciValuesFiles)(
    'should never let workers, API or operator reach the metadata IP when given ci/%s',
    async (file) => {
      const objects = await renderChart(file);
      for (const component of ['-gpu-worker', '-api', '-operator']) {
        const policy = policyOf(objects, component);
        expect(policy, component).toBeDefined();
        const peers = (policy?.egress ?? []).flatMap((rule) => {
          expect(rule.to, `${component} has an egress rule open to everything`).toBeDefined();
          return rule.to ?? [];
        });
        for (const peer of peers.filter((p) => p.ipBlock && !p.ipBlock.cidr.includes(':'))) {
          expect(peer.ipBlock?.except, `${component} ${peer.ipBlock?.cidr}`).toContain('169.254.169.254/32');
        }
        for (const peer of peers.filter((p) => p.ipBlock?.cidr.includes(':'))) {
          expect(peer.ipBlock?.except, `${component} ${peer.ipBlock?.cidr}`).toContain('fd00:ec2::254/128');
        }
      }
    },
  );

  it('should let only the API and the workers reach Redis when given the defaults', async () => {
    const policy = policyOf(await renderChart('default-values.yaml'), '-redis');
    const components = (policy?.ingress ?? []).flatMap((rule) =>
      (rule.from ?? []).map(
        (peer) =>
          (peer.podSelector as { matchLabels: Record<string, string> }).matchLabels[
            'app.kubernetes.io/component'
          ],
      ),
    );
    expect(components.sort()).toEqual(['api', 'gpu-worker']);
    expect(policy?.egress ?? []).toEqual([]);
  });
});
