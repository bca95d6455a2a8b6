import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A check's verdict, with a line that says why (shown in the probe's body). */
export type CheckResult = boolean | { ok: boolean; detail: string };

export interface HealthChecks {
  /** The process works (event loop turns); a failing liveness probe restarts the pod. */
  live: () => CheckResult;
  /**
   * Ready to do its part: the leader once its caches have synced, a standby while it can see the
   * lease (so that a rollout does not wait for a lease a standby will never hold).
   */
  ready: () => CheckResult;
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
      const result = check();
      const { ok, detail } = typeof result === 'boolean' ? { ok: result, detail: '' } : result;
      response.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' });
      response.end(`${ok ? 'ok' : 'not ready'}${detail ? `: ${detail}` : ''}\n`);
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
