import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * `/healthz` answers as soon as the process runs; `/readyz` only while the engine can render (the
 * model is loaded, the engine server answers), because Kubernetes gates traffic and autoscaling on
 * readiness; `/metrics` for Prometheus.
 */
export class HealthServer {
  private ready = false;
  private notReadyReason = 'loading the model';
  private readonly server: Server;

  constructor(private readonly registry: Registry) {
    this.server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/healthz') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        response
          .writeHead(this.ready ? 200 : 503, { 'content-type': 'text/plain' })
          .end(this.ready ? 'ready\n' : `${this.notReadyReason}\n`);
      } else if (path === '/metrics') {
        void this.registry.metrics().then(
          (body) => response.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
          (error: unknown) => response.writeHead(500).end(String(error)),
        );
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    });
  }

  listen(port: number, host = '0.0.0.0'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  markReady(): void {
    this.ready = true;
  }

  /** Not ready, saying why (`/readyz` shows it to whoever looks at a pod that is not ready). */
  markNotReady(reason = 'stopping'): void {
    this.ready = false;
    this.notReadyReason = reason;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
