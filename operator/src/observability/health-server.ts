import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthChecks {
  /** The process works (event loop turns); a failing liveness probe restarts the pod. */
  live: () => boolean;
  /** Ready to act: a standby is ready too, so that a rollout does not wait for the lease. */
  ready: () => boolean;
}

/** `/metrics`, `/healthz` and `/readyz` on one port. */
export class HealthServer {
  private readonly server: Server;

  constructor(registry: Registry, checks: HealthChecks) {
    this.server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path === '/metrics') {
        registry
          .metrics()
          .then((body) => {
            response.writeHead(200, { 'Content-Type': registry.contentType });
            response.end(body);
          })
          .catch((error: unknown) => {
            response.writeHead(500, { 'Content-Type': 'text/plain' });
            response.end(String(error));
          });
        return;
      }
      const check =
        path === '/healthz' || path === '/livez'
          ? checks.live
          : path === '/readyz'
            ? checks.ready
            : undefined;
      if (!check) {
        response.writeHead(404, { 'Content-Type': 'text/plain' });
        response.end('Not found: try /metrics, /healthz or /readyz\n');
        return;
      }
      const ok = check();
      response.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' });
      response.end(ok ? 'ok\n' : 'not ready\n');
    });
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
