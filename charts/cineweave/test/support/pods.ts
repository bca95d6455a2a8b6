import type { KubeObject } from './render.ts';

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}
export interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[]; add?: string[] } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  envFrom?: Record<string, unknown>[];
  ports?: { name?: string; containerPort: number }[];
}
export interface PodSpec {
  securityContext?: Record<string, unknown> & { seccompProfile?: { type: string } };
  containers: Container[];
  initContainers?: Container[];
  volumes?: Record<string, unknown>[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  tolerations?: { key?: string; operator?: string; effect?: string }[];
  [field: string]: unknown;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'Job', 'DaemonSet', 'CronJob', 'ReplicaSet']);

/**
 * Every pod the chart creates, named `Kind/name`. Worker pods are the operator's (built from its
 * WORKER_* settings, see operator/src/controllers/workerpool/worker-deployment.ts), not the chart's.
 */
export function podTemplates(objects: KubeObject[]): { name: string; template: PodTemplate }[] {
  const pods: { name: string; template: PodTemplate }[] = [];
  for (const object of objects) {
    const spec = object['spec'] as { template?: PodTemplate } | undefined;
    if (WORKLOADS.has(object.kind) && spec?.template) {
      pods.push({ name: `${object.kind}/${object.metadata.name}`, template: spec.template });
    }
    const data = object['data'] as Record<string, string> | undefined;
    if (object.kind === 'ConfigMap' && data?.['pod-template.json']) {
      pods.push({
        name: `worker pod template ${object.metadata.name}`,
        template: JSON.parse(data['pod-template.json']),
      });
    }
  }
  return pods;
}

export function containersOf(template: PodTemplate): Container[] {
  return [...(template.spec.initContainers ?? []), ...template.spec.containers];
}
