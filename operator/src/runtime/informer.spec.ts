import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { loadKubeConfig } from '../kube/load-kube-config.ts';
import { createLogger } from '../observability/logger.ts';
import { Informer } from './informer.ts';

const pod = (name: string, resourceVersion: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', resourceVersion },
});

/** A scripted API server: each list and each watch request takes the next answer in line. */
class ScriptedServer {
  lists: KubeObject[][] = [];
  watches: ((request: IncomingMessage, response: ServerResponse) => void)[] = [];
  readonly seen: string[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const watching = url.searchParams.get('watch') === 'true';
      this.seen.push(watching ? `watch rv=${url.searchParams.get('resourceVersion')}` : 'list');
      if (watching) {
        const next = this.watches.shift();
        if (next) return next(request, response);
        // Hold the stream open, as a quiet watch is.
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.flushHeaders();
        return;
      }
      const items = this.lists.shift() ?? [];
      const rv = String(Math.max(0, ...items.map((item) => Number(item.metadata.resourceVersion))));
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: rv }, items }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function stream(events: unknown[]): (request: IncomingMessage, response: ServerResponse) => void {
  return (_request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    for (const event of events) response.write(`${JSON.stringify(event)}\n`);
    response.end();
  };
}

const until = async (check: () => boolean, what: string): Promise<void> => {
  const end = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe(Informer.name, () => {
  let server: ScriptedServer;
  let informer: Informer<KubeObject> | undefined;

  afterEach(async () => {
    await informer?.stop();
    await server?.close();
  });

  async function start(): Promise<{ changes: string[] }> {
    await server.start();
    const client = new KubeClient(
      loadKubeConfig({
        yaml: JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'c', cluster: { server: server.url } }],
          users: [{ name: 'u', user: {} }],
          contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'x',
        }),
      }),
    );
    informer = new Informer(
      client,
      { group: '', version: 'v1', plural: 'pods', namespaced: true },
      {
        namespaces: ['ns'],
        resyncMs: 60_000,
        logger: createLogger('silent'),
        retryBaseMs: 20,
        retryMaxMs: 100,
      },
    );
    const changes: string[] = [];
    informer.onChange((key, type) => changes.push(`${type} ${key}`));
    informer.start();
    return { changes };
  }

  it('should restart the watch from the last resourceVersion when a watch fails with an error', async () => {
    server = new ScriptedServer();
    server.lists = [[pod('a', '5')]];
    server.watches = [
      (_request, response) => {
        response.writeHead(500);
        response.end();
      },
      stream([{ type: 'ADDED', object: pod('b', '6') }]),
    ];
    const { changes } = await start();
    await until(() => informer?.get('ns/b') !== undefined, 'pod b');
    await until(() => server.seen.length >= 4, 'a third watch');
    expect(server.seen.slice(0, 4)).toEqual(['list', 'watch rv=5', 'watch rv=5', 'watch rv=6']);
    expect(changes).toEqual(['ADDED ns/a', 'ADDED ns/b']);
  });

  it('should relist and drop vanished objects when the watch answers 410 Gone', async () => {
    server = new ScriptedServer();
    server.lists = [
      [pod('a', '5'), pod('b', '5')],
      [pod('b', '9'), pod('c', '9')],
    ];
    server.watches = [
      stream([
        { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' } },
      ]),
    ];
    const { changes } = await start();
    await until(() => informer?.get('ns/c') !== undefined, 'pod c after relist');
    expect(server.seen.slice(0, 3)).toEqual(['list', 'watch rv=5', 'list']);
    expect(informer?.get('ns/a')).toBeUndefined();
    expect(changes).toEqual(['ADDED ns/a', 'ADDED ns/b', 'MODIFIED ns/b', 'ADDED ns/c', 'DELETED ns/a']);
  });
});
