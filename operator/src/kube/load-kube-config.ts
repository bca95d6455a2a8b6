import { KubeConfig } from '@kubernetes/client-node';

/**
 * Loads a kubeconfig (file or string) or the in-cluster service account. client-node refuses a
 * plain-http server unless the cluster says insecure-skip-tls-verify; there is no TLS to verify
 * there, so such a cluster (the test API server, `kubectl proxy`) is accepted as kubectl accepts it.
 */
export function loadKubeConfig(source: { file?: string; yaml?: string }): KubeConfig {
  const config = new KubeConfig();
  if (source.yaml !== undefined) config.loadFromString(source.yaml);
  else if (source.file) config.loadFromFile(source.file);
  else config.loadFromCluster();
  const needsFix = config.clusters.some(
    (cluster) => cluster.server.startsWith('http:') && !cluster.skipTLSVerify,
  );
  if (!needsFix) return config;
  const fixed = new KubeConfig();
  fixed.loadFromOptions({
    clusters: config.clusters.map((cluster) =>
      cluster.server.startsWith('http:') ? { ...cluster, skipTLSVerify: true } : cluster,
    ),
    users: config.users,
    contexts: config.contexts,
    currentContext: config.currentContext,
  });
  return fixed;
}
