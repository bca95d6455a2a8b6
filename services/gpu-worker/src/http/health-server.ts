import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * `/healthz` answers as soon as the process runs; `/readyz` only once the model is loaded,
 * because Kubernetes gates traffic and autoscaling on readiness; `/metrics` for Prometheus.
 */
export class HealthServer {
  private ready = false;
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
          .end(this.ready ? 'ready\n' : 'loading the model\n');
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

  markNotReady(): void {
    this.ready = false;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
