import { PricingTableSchema, WorkerPoolSpecSchema } from '@cineweave/contracts';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { podTemplates } from './support/pods.ts';
import {
  byKind,
  ciValuesFiles,
  MONITORING_APIS,
  NAMESPACE,
  parseObjects,
  renderChart,
  type KubeObject,
} from './support/render.ts';
import { chartDir, repoRoot } from './support/tools.ts';
import { THIRD_PARTY_KINDS, validateBuiltin, validateCustom } from './support/validate.ts';

const scenarios = ciValuesFiles.flatMap((file) => [
  { file, args: [] as string[], label: `ci/${file}` },
  {
    file,
    args: MONITORING_APIS.flatMap((api) => ['--api-versions', api]),
    label: `ci/${file} with monitoring APIs`,
  },
]);

async function problemsOf(objects: KubeObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const key = `${object.apiVersion}/${object.kind}`;
    try {
      if (object.apiVersion.startsWith('cineweave.io/')) validateCustom(object);
      else if (THIRD_PARTY_KINDS.has(key)) expect(object['spec']).toBeTypeOf('object');
      else await validateBuiltin(object);
    } catch (error) {
      problems.push(`${object.kind}/${object.metadata.name}: ${(error as Error).message}`);
    }
  }
  return problems;
}

describe('helm template', () => {
  it.each(scenarios)(
    'should render only objects valid against their schemas when given $label',
    async ({ file, args }) => {
      const objects = await renderChart(file, args);
      expect(objects.length).toBeGreaterThan(20);
      expect(await problemsOf(objects)).toEqual([]);
    },
  );

  it('should catch an invalid object when the validators see one', async () => {
    const broken = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: {
        selector: {},
        template: { spec: { containers: [{ name: 'x', ports: [{ containerPort: 'http' }] }] } },
      },
    } as unknown as KubeObject;
    const pool = {
      apiVersion: 'cineweave.io/v1alpha1',
      kind: 'WorkerPool',
      metadata: { name: 'p' },
      spec: { maxReplicas: 2, gpus: 1 },
    } as unknown as KubeObject;
    expect(await problemsOf([broken, pool])).toEqual([
      expect.stringContaining('containerPort must be integer'),
      expect.stringContaining('must NOT have additional properties'),
    ]);
  });

  it.each(readdirSync(`${repoRoot}deploy/examples`))(
    'should ship deploy/examples/%s valid against the chart CRDs',
    async (file) => {
      const objects = parseObjects(readFileSync(`${repoRoot}deploy/examples/${file}`, 'utf8'));
      expect(objects).toHaveLength(1);
      expect(await problemsOf(objects)).toEqual([]);
    },
  );

  it.each(ciValuesFiles)('should render WorkerPools the contracts accept when given ci/%s', async (file) => {
    const pools = byKind(await renderChart(file), 'WorkerPool');
    expect(pools.length).toBeGreaterThan(0);
    for (const pool of pools) {
      const result = WorkerPoolSpecSchema.safeParse(pool['spec']);
      expect(result.error?.issues ?? [], `${pool.metadata.name}`).toEqual([]);
    }
  });

  it('should render the H100 pool with its scheduling when given the GPU pool scenario', async () => {
    const pools = byKind(await renderChart('gpu-pool-values.yaml'), 'WorkerPool');
    const h100 = pools.find((pool) => pool.metadata.name === 'h100');
    expect(h100?.['spec']).toMatchObject({
      maxReplicas: 4,
      minReplicas: 0,
      runtimeClassName: 'nvidia',
      nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
    });
    expect(pools.map((pool) => (pool['spec'] as { minReplicas: number }).minReplicas)).toEqual([0, 0]);
  });

  it('should ship the commented vLLM-Omni pool of values.yaml as the vLLM-Omni scenario renders it', async () => {
    // The example as a person uncomments it: the `# extraWorkerPools:` block, up to the blank line.
    const lines = readFileSync(`${chartDir}values.yaml`, 'utf8').split('\n');
    const start = lines.indexOf('# extraWorkerPools:');
    expect(start, 'values.yaml has no commented extraWorkerPools example').toBeGreaterThan(0);
    const end = lines.indexOf('', start);
    const example = parse(
      lines
        .slice(start, end)
        .map((line) => line.replace(/^# ?/, ''))
        .join('\n'),
    ) as { extraWorkerPools: Array<Record<string, unknown>> };
    const scenario = parse(readFileSync(`${chartDir}ci/vllm-omni-values.yaml`, 'utf8')) as {
      extraWorkerPools: unknown;
    };
    expect(example.extraWorkerPools).toEqual(scenario.extraWorkerPools);

    const pools = byKind(await renderChart('vllm-omni-values.yaml'), 'WorkerPool');
    expect(pools.map((pool) => pool.metadata.name)).toEqual(['vllm-omni']);
    const spec = WorkerPoolSpecSchema.parse(pools[0]['spec']);
    expect(spec.engine).toMatchObject({
      kind: 'openai-videos',
      image: 'vllm/vllm-omni:v0.25.0',
      args: ['Wan-AI/Wan2.2-TI2V-5B-Diffusers', '--omni', '--port', '8000'],
      port: 8000,
    });
    // The worker container's resources are the pool's own, not the chart's 48 GiB default for onnx.
    expect(spec.resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '4Gi' } });
  });

  it('should render ServiceMonitors and PrometheusRules only when the monitoring API exists or a value forces them', async () => {
    const kinds = (objects: KubeObject[]) => objects.map((object) => object.kind);
    expect(kinds(await renderChart('default-values.yaml'))).not.toContain('ServiceMonitor');
    expect(kinds(await renderChart('default-values.yaml'))).not.toContain('PrometheusRule');
    const withApi = await renderChart(
      'default-values.yaml',
      MONITORING_APIS.flatMap((api) => ['--api-versions', api]),
    );
    expect(byKind(withApi, 'ServiceMonitor')).toHaveLength(3);
    expect(byKind(withApi, 'PrometheusRule')).toHaveLength(1);
    const forced = await renderChart('external-services-values.yaml');
    expect(byKind(forced, 'ServiceMonitor')).toHaveLength(3);
  });

  it('should roll the API pods when its configuration changes', async () => {
    const annotationOf = async (args: string[]) => {
      const objects = await renderChart('default-values.yaml', args);
      const api = byKind(objects, 'Deployment').find((object) => object.metadata.name.endsWith('-api'));
      return (api?.['spec'] as { template: { metadata: { annotations: Record<string, string> } } }).template
        .metadata.annotations['checksum/config'];
    };
    const before = await annotationOf([]);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(await annotationOf(['--set', 'config.retentionHours=48'])).not.toBe(before);
  });

  it('should serve the bundled MinIO through the ingress and sign video links for that host', async () => {
    const objects = await renderChart('default-values.yaml');
    const [ingress] = byKind(objects, 'Ingress') as unknown as {
      spec: {
        rules: {
          host: string;
          http: { paths: { path: string; backend: { service: { name: string; port: { name: string } } } }[] };
        }[];
      };
    }[];
    const rule = ingress.spec.rules[0];
    const storage = rule.http.paths.find((path) => path.path === '/cineweave');
    expect(storage?.backend.service).toEqual({
      name: expect.stringMatching(/-minio$/),
      port: { name: 's3' },
    });
    const apiConfig = byKind(objects, 'ConfigMap').find((object) => object.metadata.name.endsWith('-api'));
    const data = apiConfig?.['data'] as Record<string, string>;
    expect(data['S3_PUBLIC_ENDPOINT']).toBe(`https://${rule.host}`);
    expect(data['S3_ENDPOINT']).toMatch(/^http:\/\/[a-z0-9-]+-minio:9000$/);
    // The ingress controller may reach MinIO's port, as it may the portal's and the API's.
    const minioPolicy = byKind(objects, 'NetworkPolicy').find((object) =>
      object.metadata.name.endsWith('-minio'),
    );
    expect(JSON.stringify(minioPolicy?.['spec'])).toContain('ingress-nginx');

    const external = await renderChart('external-services-values.yaml');
    const [externalIngress] = byKind(external, 'Ingress') as unknown as (typeof ingress)[];
    expect(externalIngress.spec.rules[0].http.paths.map((path) => path.path)).toEqual(['/api', '/']);
    const externalConfig = byKind(external, 'ConfigMap').find((object) =>
      object.metadata.name.endsWith('-api'),
    );
    expect((externalConfig?.['data'] as Record<string, string>)['S3_PUBLIC_ENDPOINT']).toBe('');
  });

  it('should hand auth.sso to the API as SSO_GROUPS_CLAIM and SSO_TEAM_MAPPINGS JSON', async () => {
    const apiConfig = (objects: KubeObject[]) =>
      byKind(objects, 'ConfigMap').find((object) => object.metadata.name.endsWith('-api'))?.[
        'data'
      ] as Record<string, string>;
    const mapped = apiConfig(await renderChart('external-services-values.yaml'));
    expect(mapped['SSO_GROUPS_CLAIM']).toBe('organization');
    expect(JSON.parse(mapped['SSO_TEAM_MAPPINGS'])).toEqual([
      { group: 'acme', teamId: '6f1c2a8e-4b7d-4e0a-9c3f-1d2e3f4a5b6c', role: 'member' },
      { group: 'acme:admin', teamId: '6f1c2a8e-4b7d-4e0a-9c3f-1d2e3f4a5b6c', role: 'admin' },
    ]);
    const unmapped = apiConfig(await renderChart('default-values.yaml'));
    expect(unmapped['SSO_GROUPS_CLAIM']).toBe('');
    expect(unmapped['SSO_TEAM_MAPPINGS']).toBe('[]');
  });

  it('should configure TrueLayer payments from payments.truelayer, with its secrets in a Secret', async () => {
    const apiConfig = (objects: KubeObject[]) =>
      byKind(objects, 'ConfigMap').find((object) => object.metadata.name.endsWith('-api'))?.[
        'data'
      ] as Record<string, string>;
    const selling = await renderChart('external-services-values.yaml');
    expect(apiConfig(selling)).toMatchObject({
      PAYMENTS_PROVIDER: 'truelayer',
      TRUELAYER_ENV: 'production',
      TRUELAYER_CLIENT_ID: 'cineweave-9f2c1a',
      TRUELAYER_RETURN_URI: expect.stringMatching(/^https:\/\/[^/]+\/account\/billing\/return$/),
      TRUELAYER_CREDIT_ON: 'settled',
    });
    expect(Object.keys(apiConfig(selling))).not.toContain('TRUELAYER_CLIENT_SECRET');
    const apiEnv = podTemplates(selling).find((entry) => entry.name.endsWith('-api'))?.template.spec
      .containers[0].env;
    for (const name of ['TRUELAYER_CLIENT_SECRET', 'TRUELAYER_SIGNING_PRIVATE_KEY']) {
      expect(apiEnv?.find((env) => env.name === name)?.valueFrom).toEqual({
        secretKeyRef: { name: 'cw-cineweave-credentials', key: name },
      });
    }
    const credentials = byKind(selling, 'Secret').find(
      (object) => object.metadata.name === 'cw-cineweave-credentials',
    );
    expect(Object.keys(credentials?.['stringData'] as object)).toEqual(
      expect.arrayContaining(['TRUELAYER_CLIENT_SECRET', 'TRUELAYER_SIGNING_PRIVATE_KEY']),
    );

    // A classifier before admission: its address in the ConfigMap, its token only in the Secret.
    expect(apiConfig(selling)).toMatchObject({
      MODERATION_CLASSIFIER_URL: 'http://llama-guard.moderation.svc:8000',
      MODERATION_CLASSIFIER_MODEL: 'llama-guard-3-8b',
      MODERATION_TIMEOUT_MS: '5000',
      MODERATION_FAIL_MODE: 'open',
    });
    expect(Object.keys(apiConfig(selling))).not.toContain('MODERATION_CLASSIFIER_TOKEN');
    expect(apiEnv?.find((env) => env.name === 'MODERATION_CLASSIFIER_TOKEN')?.valueFrom).toEqual({
      secretKeyRef: { name: 'cw-cineweave-credentials', key: 'MODERATION_CLASSIFIER_TOKEN' },
    });
    expect(Object.keys(credentials?.['stringData'] as object)).toContain('MODERATION_CLASSIFIER_TOKEN');

    // Its own price table, mounted where PRICING_TABLE_FILE points; the default install has none.
    expect(apiConfig(selling)['PRICING_TABLE_FILE']).toBe('/etc/cineweave/pricing/pricing.json');
    const pricing = byKind(selling, 'ConfigMap').find((object) => object.metadata.name.endsWith('-pricing'));
    expect(
      PricingTableSchema.parse(JSON.parse((pricing?.['data'] as Record<string, string>)['pricing.json'])),
    ).toEqual({
      creditsPerSecond: { '1280x704': 12, '704x1280': 12, '640x352': 4, '352x640': 4 },
      minimumCredits: 2,
    });

    const free = await renderChart('default-values.yaml');
    expect(apiConfig(free)['PAYMENTS_PROVIDER']).toBe('none');
    expect(apiConfig(free)['PRICING_TABLE_FILE']).toBeUndefined();
    expect(apiConfig(free)).toMatchObject({ MODERATION_FAIL_MODE: 'closed', MODERATION_TIMEOUT_MS: '3000' });
    expect(Object.keys(apiConfig(free))).not.toContain('MODERATION_CLASSIFIER_URL');
    expect(
      podTemplates(free)
        .find((entry) => entry.name.endsWith('-api'))
        ?.template.spec.containers[0].env?.map((env) => env.name),
    ).not.toContain('MODERATION_CLASSIFIER_TOKEN');
    expect(Object.keys(apiConfig(free)).filter((key) => key.startsWith('TRUELAYER_'))).toEqual([]);
    await expect(
      renderChart('default-values.yaml', [
        '--set',
        'payments.provider=truelayer',
        '--set',
        'payments.truelayer.clientId=x',
        '--set',
        'payments.truelayer.signingKeyId=y',
        '--set',
        'payments.truelayer.merchantAccountId=z',
      ]),
    ).rejects.toThrow(/payments\.truelayer\.clientSecret \(or existingSecret/);
  });

  it('should set every environment variable the README lists for each component', async () => {
    const objects = await renderChart('default-values.yaml');
    const envOf = (name: string) => {
      const pod = podTemplates(objects).find((entry) => entry.name.includes(name));
      if (!pod) throw new Error(`no pod ${name}`);
      const container = pod.template.spec.containers[0];
      const fromConfigMaps = (container.envFrom ?? []).flatMap((source) => {
        const ref = source['configMapRef'] as { name: string } | undefined;
        const map = byKind(objects, 'ConfigMap').find((object) => object.metadata.name === ref?.name);
        return Object.keys((map?.['data'] as Record<string, string>) ?? {});
      });
      return [...(container.env ?? []).map((env) => env.name), ...fromConfigMaps];
    };
    expect(envOf('Deployment/cw-cineweave-api')).toEqual(
      expect.arrayContaining([
        'PORT',
        'DATABASE_URL',
        'DB_MIGRATE',
        'REDIS_URL',
        'S3_ENDPOINT',
        'S3_REGION',
        'S3_ACCESS_KEY',
        'S3_SECRET_KEY',
        'S3_BUCKET',
        'AUTH_MODE',
        'OIDC_ISSUER',
        'OIDC_AUDIENCE',
        'OIDC_JWKS_URL',
        'OIDC_CLIENT_ID',
        'ADMIN_USER_IDS',
        'INTERNAL_TOKEN',
        'MAX_ACTIVE_JOBS_PER_USER',
        'RETENTION_HOURS',
        'GPU_HOURLY_COST_USD',
        'CORS_ORIGINS',
        'PORTAL_URL',
        'NODE_ENV',
        'LOG_LEVEL',
      ]),
    );
    expect(envOf('Deployment/cw-cineweave-operator')).toEqual(
      expect.arrayContaining([
        'CINEWEAVE_API_URL',
        'INTERNAL_TOKEN',
        'WATCH_NAMESPACES',
        'LEADER_ELECTION_NAMESPACE',
        'LEADER_ELECTION_ID',
        'METRICS_PORT',
        'NODE_ENV',
        'LOG_LEVEL',
      ]),
    );
  });

  it.each(ciValuesFiles)(
    'should give the operator worker settings that name rendered objects when given ci/%s',
    async (file) => {
      const objects = await renderChart(file);
      const operator = podTemplates(objects).find((pod) => pod.name === 'Deployment/cw-cineweave-operator');
      const env = Object.fromEntries(
        (operator?.template.spec.containers[0].env ?? []).map((variable) => [variable.name, variable.value]),
      );
      const named = (kind: string, name: string | undefined) =>
        byKind(objects, kind).find((object) => object.metadata.name === name) as
          (KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> }) | undefined;
      expect(env['WORKER_IMAGE']).toBe('ghcr.io/cineweave/gpu-worker:0.1.0');
      const secret = named('Secret', env['WORKER_SECRET_NAME']);
      // Workers get the queue and the object store, never the database or the internal token.
      expect(Object.keys(secret?.stringData ?? {}).sort()).toEqual([
        'REDIS_URL',
        'S3_ACCESS_KEY',
        'S3_SECRET_KEY',
      ]);
      const config = named('ConfigMap', env['WORKER_CONFIGMAP_NAME']);
      expect(named('PersistentVolumeClaim', env['WORKER_MODEL_PVC'])).toBeDefined();
      expect(named('ServiceAccount', env['WORKER_SERVICE_ACCOUNT'])?.['automountServiceAccountToken']).toBe(
        false,
      );
      // What the operator sets on each worker from the pool and its WORKER_* settings.
      const fromOperator = [
        'MODEL_ID',
        'MODEL_DIR',
        'DEVICE',
        'METRICS_PORT',
        'GPU_HOURLY_COST_USD',
        'SHUTDOWN_GRACE_SECONDS',
      ];
      const workerEnv = [
        ...fromOperator,
        ...Object.keys(config?.data ?? {}),
        ...Object.keys(secret?.stringData ?? {}),
      ];
      expect(workerEnv).toEqual(
        expect.arrayContaining([
          'REDIS_URL',
          'S3_ENDPOINT',
          'S3_REGION',
          'S3_ACCESS_KEY',
          'S3_SECRET_KEY',
          'S3_BUCKET',
          'MODEL_DIR',
          'MODEL_ID',
          'DEVICE',
          'CUDA_DEVICE_ID',
          'METRICS_PORT',
          'GPU_HOURLY_COST_USD',
          'WORKER_CONCURRENCY',
          'SHUTDOWN_GRACE_SECONDS',
          'FFMPEG_PATH',
          'NODE_ENV',
          'LOG_LEVEL',
        ]),
      );
    },
  );

  it('should put every namespaced object in the release namespace when rendered', async () => {
    const objects = await renderChart('default-values.yaml', ['--namespace', NAMESPACE]);
    const clusterScoped = new Set(['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);
    for (const object of objects.filter((o) => !clusterScoped.has(o.kind))) {
      expect(object.metadata.namespace ?? NAMESPACE, `${object.kind}/${object.metadata.name}`).toBe(
        NAMESPACE,
      );
    }
  });
});

describe('secrets', () => {
  const external = [
    '--set',
    'existingSecret=cineweave-managed',
    '--set',
    'postgresql.enabled=false',
    '--set',
    'redis.enabled=false',
    '--set',
    'minio.enabled=false',
    '--set',
    's3.endpoint=https://s3.example.com',
  ];
  const refsOf = (objects: KubeObject[], pod: string) =>
    Object.fromEntries(
      (podTemplates(objects).find((entry) => entry.name === pod)?.template.spec.containers[0].env ?? [])
        .filter((env) => env.valueFrom?.['secretKeyRef'])
        .map((env) => [env.name, (env.valueFrom?.['secretKeyRef'] as { name: string }).name]),
    );

  it('should read every credential from existingSecret when the services are external', async () => {
    const objects = await renderChart('default-values.yaml', external);
    expect(refsOf(objects, 'Deployment/cw-cineweave-api')).toEqual({
      DATABASE_URL: 'cineweave-managed',
      REDIS_URL: 'cineweave-managed',
      S3_ACCESS_KEY: 'cineweave-managed',
      S3_SECRET_KEY: 'cineweave-managed',
      INTERNAL_TOKEN: 'cineweave-managed',
    });
    expect(refsOf(objects, 'Job/cw-cineweave-migrations')).toEqual({ DATABASE_URL: 'cineweave-managed' });
    const operatorEnv = podTemplates(objects).find(
      (entry) => entry.name === 'Deployment/cw-cineweave-operator',
    )?.template.spec.containers[0].env;
    expect(operatorEnv).toContainEqual({ name: 'WORKER_SECRET_NAME', value: 'cineweave-managed' });
    expect(byKind(objects, 'Secret').map((secret) => secret.metadata.name)).toEqual([
      'cw-cineweave-credentials',
    ]);
  });

  it('should generate the bundled stores’ credentials once per render and share them', async () => {
    const objects = await renderChart('default-values.yaml');
    const data = (name: string) =>
      byKind(objects, 'Secret').find((secret) => secret.metadata.name === name)?.['stringData'] as Record<
        string,
        string
      >;
    const credentials = data('cw-cineweave-credentials');
    expect(credentials['INTERNAL_TOKEN']).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(credentials['DATABASE_URL']).toBe(
      `postgres://cineweave:${credentials['POSTGRES_PASSWORD']}@cw-cineweave-postgresql:5432/cineweave`,
    );
    expect(data('cw-cineweave-worker')).toEqual({
      REDIS_URL: credentials['REDIS_URL'],
      S3_ACCESS_KEY: credentials['S3_ACCESS_KEY'],
      S3_SECRET_KEY: credentials['S3_SECRET_KEY'],
    });
    const keep = byKind(objects, 'Secret').find(
      (secret) => secret.metadata.name === 'cw-cineweave-credentials',
    );
    expect(keep?.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
  });

  it('should run the migrations before install with an external Postgres and after it with the bundled one', async () => {
    const hookOf = async (args: string[]) =>
      byKind(await renderChart('default-values.yaml', args), 'Job').find((job) =>
        job.metadata.name.endsWith('-migrations'),
      )?.metadata.annotations?.['helm.sh/hook'];
    expect(await hookOf([])).toBe('post-install,pre-upgrade');
    expect(await hookOf(external)).toBe('pre-install,pre-upgrade');
  });
});

describe('Content Credentials', () => {
  const workerConfig = (objects: KubeObject[]) =>
    (byKind(objects, 'ConfigMap').find((object) => object.metadata.name === 'cw-cineweave-worker')?.[
      'data'
    ] ?? {}) as Record<string, string>;
  const operatorEnv = (objects: KubeObject[]) => {
    const operator = podTemplates(objects).find((pod) => pod.name === 'Deployment/cw-cineweave-operator');
    return Object.fromEntries(
      (operator?.template.spec.containers[0]?.env ?? []).map((env) => [env.name, env.value]),
    );
  };

  it('should have the operator mount the signing Secret into every worker when one is named', async () => {
    const objects = await renderChart('default-values.yaml');
    expect(workerConfig(objects)['CONTENT_CREDENTIALS']).toBe('on');
    expect(operatorEnv(objects)['WORKER_CONTENT_CREDENTIALS_SECRET']).toBe('cineweave-content-credentials');
  });

  it('should deliver unsigned videos only when signing is switched off on purpose', async () => {
    const objects = await renderChart('default-values.yaml', [
      '--set',
      'workers.contentCredentials.enabled=false',
      '--set',
      'workers.contentCredentials.existingSecret=',
    ]);
    expect(workerConfig(objects)['CONTENT_CREDENTIALS']).toBe('off');
    expect(operatorEnv(objects)).not.toHaveProperty('WORKER_CONTENT_CREDENTIALS_SECRET');
  });

  it('should refuse to render without a signing Secret while signing is on', async () => {
    await expect(
      renderChart('default-values.yaml', ['--set', 'workers.contentCredentials.existingSecret=']),
    ).rejects.toThrow(/workers\.contentCredentials\.existingSecret: name the Secret .*enabled=false/);
  });
});
