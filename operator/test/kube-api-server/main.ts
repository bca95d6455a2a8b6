/**
 * Runs the test API server on its own so that a person can try the operator with kubectl without a
 * cluster:
 *   npm run -w operator kube-test-server -- --port 6443 --kubeconfig /tmp/cineweave.kubeconfig
 *   kubectl --kubeconfig /tmp/cineweave.kubeconfig apply -f deploy/examples/videojob.yaml
 * A stand-in Deployment controller runs too, so WorkerPool Deployments get (pretend) pods.
 */
import { parseArgs } from 'node:util';
import { KubeApiServer } from './kube-api-server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '6443' },
    host: { type: 'string', default: '127.0.0.1' },
    kubeconfig: { type: 'string' },
    namespace: { type: 'string', default: 'default' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a TCP port number (0-65535), not ${values.port}`);
  process.exit(2);
}

const server = await KubeApiServer.start({
  port,
  host: values.host,
  deployments: { podReadiness: 'immediate' },
});
if (values.kubeconfig) await server.writeKubeconfig(values.kubeconfig, values.namespace);
console.log(`CineWeave test Kubernetes API server listening on ${server.url}`);
console.log(
  values.kubeconfig
    ? `Wrote kubeconfig ${values.kubeconfig}; try: kubectl --kubeconfig ${values.kubeconfig} get vj`
    : `No --kubeconfig given; kubectl -s ${server.url} get vj works too`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
