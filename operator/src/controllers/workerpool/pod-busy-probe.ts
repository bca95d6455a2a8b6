import type { KubeObject } from '../../kube/kube-object.ts';

export const BUSY_METRIC = 'cineweave_worker_busy';

/** Whether a worker pod is rendering now, from its `cineweave_worker_busy` gauge. */
export type BusyProbe = (pod: KubeObject) => Promise<boolean | undefined>;

/**
 * Reads the busy gauge from the pod's /metrics (pod IP, port from the prometheus.io/port
 * annotation or the default). Unknown (unreachable, no IP) counts as busy for safety: the caller
 * never removes a pod it cannot prove idle.
 */
export function httpBusyProbe(defaultPort: number, timeoutMs = 2_000): BusyProbe {
  return async (pod) => {
    const ip = (pod.status as { podIP?: string } | undefined)?.podIP;
    if (!ip) return undefined;
    const port = Number(pod.metadata.annotations?.['prometheus.io/port'] ?? defaultPort);
    const host = ip.includes(':') ? `[${ip}]` : ip;
    try {
      const response = await fetch(`http://${host}:${port}/metrics`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) return undefined;
      return parseBusy(await response.text());
    } catch {
      return undefined;
    }
  };
}

/** The gauge's value in Prometheus text format; undefined when the worker does not serve it. */
export function parseBusy(text: string): boolean | undefined {
  const sample = new RegExp(`^${BUSY_METRIC}(\\{[^}]*\\})?\\s+(\\S+)`);
  for (const line of text.split('\n')) {
    const match = sample.exec(line);
    if (!match) continue;
    const value = Number(match[2]);
    if (!Number.isNaN(value)) return value > 0;
  }
  return undefined;
}
