import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiServer } from './kube-api-server/kube-api-server.ts';
import type { KubeObject } from './kube-api-server/types.ts';
import { Kubectl } from './support/kubectl.ts';
import { waitUntil } from './support/wait-until.ts';

const EXAMPLES = fileURLToPath(new URL('../../deploy/examples/', import.meta.url));
const VIDEOJOB = ['cineweave.io/v1alpha1', 'VideoJob'] as const;

function videoJob(
  name: string,
  spec: Record<string, unknown> = { prompt: 'A paper boat drifting down a rainy street' },
): string {
  return JSON.stringify({ apiVersion: 'cineweave.io/v1alpha1', kind: 'VideoJob', metadata: { name }, spec });
}

function completeCondition(): Record<string, unknown> {
  return {
    type: 'Complete',
    status: 'True',
    reason: 'Succeeded',
    message: 'The video is ready',
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

/**
 * The real kubectl against the test API server: the commands the issue promises platform
 * engineers (apply, get, get -w, describe, wait, delete) behave as on a cluster.
 */
describe('kubectl against the test API server', { timeout: 30_000 }, () => {
  let server: KubeApiServer;
  let kubectl: Kubectl;
  let namespaceCount = 0;

  /** Each test works in its own namespace so that tests cannot see each other's objects. */
  function namespace(): string {
    namespaceCount += 1;
    const name = `kubectl-${namespaceCount}`;
    server.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  }

  beforeAll(async () => {
    server = await KubeApiServer.start({ deployments: { podReadiness: 'immediate' } });
    kubectl = await Kubectl.forServer(server);
  });

  afterAll(async () => {
    await kubectl?.dispose();
    await server?.close();
  });

  it('should apply the example VideoJobs cleanly with their defaults filled in', async () => {
    const ns = namespace();
    const result = await kubectl.run(['apply', '-n', ns, '-f', EXAMPLES]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('videojob.cineweave.io/sunrise-over-fjord created');
    expect(result.stdout).toContain('videojob.cineweave.io/lighthouse-storm created');
    expect(result.code).toBe(0);

    const imageJob = server.getObject(...VIDEOJOB, ns, 'lighthouse-storm');
    expect(imageJob?.spec).toMatchObject({
      image: { url: 'https://images.example.com/lighthouse.png' },
      priority: 50,
    });
    // Steps and model are left to the API: the install's default model and its catalog entry.
    expect(imageJob?.spec).not.toHaveProperty('steps');
    expect(imageJob?.spec).not.toHaveProperty('model');
    expect(imageJob?.metadata.generation).toBe(1);

    const again = await kubectl.run(['apply', '-n', ns, '-f', `${EXAMPLES}videojob.yaml`]);
    expect(again.stdout).toContain('videojob.cineweave.io/sunrise-over-fjord unchanged');
  });

  it('should refuse a second apply that changes the spec with the CEL rule message', async () => {
    const ns = namespace();
    const text = await readFile(`${EXAMPLES}videojob.yaml`, 'utf8');
    await expect(kubectl.run(['apply', '-n', ns, '-f', '-'], text)).resolves.toMatchObject({ code: 0 });

    const changed = await kubectl.run(['apply', '-n', ns, '-f', '-'], text.replace('seed: 42', 'seed: 7'));
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('The VideoJob "sunrise-over-fjord" is invalid');
    expect(changed.stderr).toContain('spec is immutable once the VideoJob is created');
    const stored = server.getObject(...VIDEOJOB, ns, 'sunrise-over-fjord');
    expect(stored?.spec).toMatchObject({ seed: 42 });
    expect(stored?.metadata.generation).toBe(1);
  });

  it.each([
    [
      'a priority over 100',
      { prompt: 'p', priority: 101 },
      'spec.priority: Invalid value: 101: spec.priority in body should be less than or equal to 100',
    ],
    [
      'an unknown resolution',
      { prompt: 'p', resolution: '1920x1080' },
      'spec.resolution: Unsupported value: "1920x1080"',
    ],
    [
      'two image sources',
      { prompt: 'p', image: { url: 'https://x.test/a.png', s3Key: 'k' } },
      'image must have exactly one of uploadId, url or s3Key',
    ],
    [
      'an image URL that is not http(s)',
      { prompt: 'p', image: { url: 'ftp://x.test/a.png' } },
      "spec.image.url in body should match '^https?://'",
    ],
    ['no prompt', { fps: 24 }, 'spec.prompt: Required value'],
    ['an unknown field', { prompt: 'p', replicas: 3 }, 'unknown field "spec.replicas"'],
  ])('should refuse a VideoJob with %s and say why', async (_case, spec, message) => {
    const ns = namespace();
    const result = await kubectl.run(['apply', '-n', ns, '-f', '-'], videoJob('refused', spec));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(server.getObject(...VIDEOJOB, ns, 'refused')).toBeUndefined();
  });

  it('should show the printer columns in kubectl get vj', async () => {
    const ns = namespace();
    await kubectl.run(
      ['apply', '-n', ns, '-f', '-'],
      // No model in the spec: the column shows the one the API chose (status.model).
      videoJob('columns', { prompt: 'A paper boat drifting down a rainy street' }),
    );
    server.patchObject(
      ...VIDEOJOB,
      ns,
      'columns',
      {
        status: {
          phase: 'Queued',
          progress: 0,
          queuePosition: 2,
          queueEtaSeconds: 540,
          model: 'wan2.2-ti2v-5b',
        },
      },
      'status',
    );

    const result = await kubectl.run(['get', 'vj', '-n', ns]);
    expect(result.code).toBe(0);
    const [header, row] = result.stdout.trim().split('\n');
    expect(header.split(/\s+/)).toEqual(['NAME', 'PHASE', 'PROGRESS', 'POSITION', 'ETA', 'MODEL', 'AGE']);
    expect(row.split(/\s+/).slice(0, 6)).toEqual(['columns', 'Queued', '0', '2', '540', 'wan2.2-ti2v-5b']);
    expect(row.split(/\s+/)[6]).toMatch(/^\d+s$/);

    const wide = await kubectl.run(['get', 'videojobs.cineweave.io', '-n', ns, '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toContain('JOB');
    const category = await kubectl.run(['get', 'cineweave', '-n', ns]);
    expect(category.stdout).toContain('videojob.cineweave.io/columns');
  });

  it('should stream a status change to kubectl get vj -w', async () => {
    const ns = namespace();
    await kubectl.run(['apply', '-n', ns, '-f', '-'], videoJob('watched'));
    const watch = kubectl.start(['get', 'vj', '-n', ns, '-w']);
    await watch.waitForOutput(/^watched\s/m);

    server.patchObject(...VIDEOJOB, ns, 'watched', { status: { phase: 'Running', progress: 64 } }, 'status');
    const output = await watch.waitForOutput(/^watched\s+Running\s+64\s/m);
    expect(output.split('\n')[0]).toMatch(/^NAME\s+PHASE\s+PROGRESS\s+POSITION\s+ETA\s+MODEL\s+AGE/);
    watch.kill();
  });

  it('should describe a VideoJob with its status and the events recorded through either Events API', async () => {
    const ns = namespace();
    await kubectl.run(['apply', '-n', ns, '-f', '-'], videoJob('described'));
    const job = server.getObject(...VIDEOJOB, ns, 'described') as KubeObject;
    server.patchObject(
      ...VIDEOJOB,
      ns,
      'described',
      { status: { phase: 'Queued', queuePosition: 3, conditions: [] } },
      'status',
    );
    const regarding = {
      apiVersion: 'cineweave.io/v1alpha1',
      kind: 'VideoJob',
      namespace: ns,
      name: 'described',
      uid: job.metadata.uid,
    };
    server.createObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'described.1', namespace: ns },
      involvedObject: regarding,
      reason: 'Submitted',
      message: 'Submitted job to the CineWeave API',
      type: 'Normal',
      source: { component: 'cineweave-operator' },
      firstTimestamp: new Date().toISOString(),
      lastTimestamp: new Date().toISOString(),
      count: 1,
    });
    server.createObject({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'described.2', namespace: ns },
      regarding,
      reason: 'Queued',
      note: 'Waiting for a GPU worker',
      type: 'Normal',
      action: 'Queue',
      reportingController: 'cineweave.io/operator',
      reportingInstance: 'operator-0',
      eventTime: new Date().toISOString().replace('Z', '000Z'),
    });

    const result = await kubectl.run(['describe', 'vj', 'described', '-n', ns]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Name:\s+described$/m);
    expect(result.stdout).toMatch(/Prompt:\s+A paper boat drifting down a rainy street/);
    expect(result.stdout).toMatch(/Phase:\s+Queued/);
    expect(result.stdout).toMatch(/Submitted\s+.*Submitted job to the CineWeave API/);
    expect(result.stdout).toMatch(/Queued\s+.*Waiting for a GPU worker/);
  });

  it('should let kubectl wait for the Complete condition set through the status subresource', async () => {
    const ns = namespace();
    await kubectl.run(['apply', '-n', ns, '-f', '-'], videoJob('awaited'));
    const wait = kubectl.start(['wait', '--for=condition=Complete', 'vj/awaited', '-n', ns, '--timeout=20s']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(wait.hasExited()).toBe(false);

    server.patchObject(
      ...VIDEOJOB,
      ns,
      'awaited',
      { status: { phase: 'Succeeded', progress: 100, conditions: [completeCondition()] } },
      'status',
    );
    const result = await wait.exited;
    expect(result.stdout).toContain('videojob.cineweave.io/awaited condition met');
    expect(result.code).toBe(0);
  });

  it('should keep a deleted VideoJob with a finalizer until the finalizer is removed', async () => {
    const ns = namespace();
    const manifest = JSON.parse(videoJob('cancelled')) as KubeObject;
    manifest.metadata.finalizers = ['cineweave.io/finalizer'];
    await kubectl.run(['apply', '-n', ns, '-f', '-'], JSON.stringify(manifest));

    const deletion = kubectl.start(['delete', 'vj', 'cancelled', '-n', ns, '--timeout=20s']);
    const marked = await waitUntil(
      () => server.getObject(...VIDEOJOB, ns, 'cancelled')?.metadata.deletionTimestamp,
      'the deletionTimestamp',
    );
    expect(Date.parse(marked)).not.toBeNaN();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deletion.hasExited()).toBe(false);

    const removed = await kubectl.run([
      'patch',
      'vj',
      'cancelled',
      '-n',
      ns,
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/metadata/finalizers"}]',
    ]);
    expect(removed.code).toBe(0);
    const result = await deletion.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('videojob.cineweave.io "cancelled" deleted');
    const gone = await kubectl.run(['get', 'vj', 'cancelled', '-n', ns]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('videojobs.cineweave.io "cancelled" not found');
  });

  it('should server-side apply and label a VideoJob', async () => {
    const ns = namespace();
    const applied = await kubectl.run([
      'apply',
      '--server-side',
      '-n',
      ns,
      '-f',
      `${EXAMPLES}videojob-i2v.yaml`,
    ]);
    expect(applied.stdout).toContain('videojob.cineweave.io/lighthouse-storm serverside-applied');
    const labelled = await kubectl.run(['label', 'vj', 'lighthouse-storm', '-n', ns, 'team=media']);
    expect(labelled.stdout).toContain('videojob.cineweave.io/lighthouse-storm labeled');
    const managers = server
      .getObject(...VIDEOJOB, ns, 'lighthouse-storm')
      ?.metadata.managedFields?.map((entry) => entry.manager);
    expect(managers).toEqual(['kubectl', 'kubectl-label']);
  });

  it('should apply, re-apply and scale a Deployment whose pods the stand-in controller runs', async () => {
    const ns = namespace();
    const manifest = (replicas: number) =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'workers' },
        spec: {
          replicas,
          selector: { matchLabels: { app: 'workers' } },
          template: {
            metadata: { labels: { app: 'workers' } },
            spec: { containers: [{ name: 'worker', image: 'w:1' }] },
          },
        },
      });
    await expect(kubectl.run(['apply', '-n', ns, '-f', '-'], manifest(1))).resolves.toMatchObject({
      code: 0,
    });
    const reapplied = await kubectl.run(['apply', '-n', ns, '-f', '-'], manifest(2));
    expect(reapplied.stdout).toContain('deployment.apps/workers configured');
    const scaled = await kubectl.run(['scale', 'deployment/workers', '-n', ns, '--replicas=3']);
    expect(scaled.stdout).toContain('deployment.apps/workers scaled');
    const rolledOut = await kubectl.run([
      'wait',
      '--for=jsonpath={.status.readyReplicas}=3',
      'deployment/workers',
      '-n',
      ns,
      '--timeout=10s',
    ]);
    expect(rolledOut.code).toBe(0);
    const pods = await kubectl.run(['get', 'pods', '-n', ns, '-l', 'app=workers', '--no-headers']);
    expect(pods.stdout.trim().split('\n')).toHaveLength(3);
    expect(pods.stdout).toMatch(/workers-\w{5}\s+1\/1\s+Running/);
  });

  it('should re-apply the CRDs and serve a CRD applied with kubectl once it is established', async () => {
    const crds = fileURLToPath(new URL('../crds/', import.meta.url));
    const reapplied = await kubectl.run(['apply', '-f', crds]);
    expect(reapplied.code).toBe(0);
    expect(reapplied.stdout).toContain(
      'customresourcedefinition.apiextensions.k8s.io/videojobs.cineweave.io',
    );

    const renamed = (await readFile(`${crds}workerpools.cineweave.io.yaml`, 'utf8'))
      .replaceAll('workerpools', 'gpupools')
      .replaceAll('WorkerPool', 'GpuPool')
      .replaceAll('workerpool', 'gpupool')
      .replace('- wp', '- gp');
    await expect(kubectl.run(['apply', '-f', '-'], renamed)).resolves.toMatchObject({ code: 0 });
    const established = await kubectl.run([
      'wait',
      '--for=condition=Established',
      'crd/gpupools.cineweave.io',
      '--timeout=10s',
    ]);
    expect(established.code).toBe(0);
    const ns = namespace();
    const created = await kubectl.run(
      ['apply', '-n', ns, '-f', '-'],
      JSON.stringify({ apiVersion: 'cineweave.io/v1alpha1', kind: 'GpuPool', metadata: { name: 'g' } }),
    );
    expect(created.stdout).toContain('gpupool.cineweave.io/g created');
  });

  it('should explain the VideoJob fields from the CRD descriptions', async () => {
    const result = await kubectl.run(['explain', 'vj.spec.image']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Exactly one of');
    expect(result.stdout).toMatch(/uploadId\s+<string>/);
  });
});
