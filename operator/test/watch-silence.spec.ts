import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeClient } from '../src/kube/kube-client.ts';
import type { KubeObject } from '../src/kube/kube-object.ts';
import { loadKubeConfig } from '../src/kube/load-kube-config.ts';
import { createLogger } from '../src/observability/logger.ts';
import { Informer } from '../src/runtime/informer.ts';
import { KubeApiServer } from './kube-api-server/kube-api-server.ts';

/**
 * Watches held open across minutes of silence, on fake time: timers (the server's timeoutSeconds
 * and bookmarks, the client's idle deadline, the informer's back-off) are faked, the HTTP traffic
 * is real. Issue 14: client-node's Watch aborted every stream after 30 s without data, although a
 * real apiserver sends bookmarks only once a minute, and logged each abort as a warning.
 */

const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true };
const realSetImmediate = setImmediate;

/** Lets real socket I/O happen between fake-timer steps. */
async function turnEventLoop(times = 20): Promise<void> {
  for (let i = 0; i < times; i += 1) await new Promise((resolve) => realSetImmediate(resolve));
}

/** Advances fake time in one-second steps, letting the sockets work after each. */
async function advance(seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i += 1) {
    await vi.advanceTimersByTimeAsync(1_000);
    await turnEventLoop();
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2_000 && !check(); i += 1) await turnEventLoop(1);
  if (!check()) throw new Error(`never saw ${what}`);
}

function capturingLogger(): { logger: ReturnType<typeof createLogger>; warnings: string[] } {
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { level: string; msg: string };
        if (entry.level === 'warn' || entry.level === 'error') warnings.push(entry.msg);
      }
      callback();
    },
  });
  return { logger: createLogger('info', sink), warnings };
}

function informerFor(client: KubeClient, logger: ReturnType<typeof createLogger>): Informer<KubeObject> {
  return new Informer<KubeObject>(client, LEASES, {
    namespaces: ['default'],
    resyncMs: 3_600_000,
    logger,
    watchTimeoutSeconds: { min: 300, max: 300 },
  });
}

describe(Informer.name, () => {
  let informer: Informer<KubeObject> | undefined;
  let closeServer: (() => Promise<void>) | undefined;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });

  afterEach(async () => {
    const stopping = informer?.stop();
    await vi.runOnlyPendingTimersAsync();
    await stopping;
    informer = undefined;
    vi.useRealTimers();
    await closeServer?.();
    closeServer = undefined;
  });

  it('should keep a silent watch open until the server ends it, then resume without a warning', async () => {
    // No bookmarks at all: ten minutes of complete silence on the stream.
    const server = await KubeApiServer.start({ bookmarkIntervalMs: 0 });
    closeServer = () => server.close();
    const { logger, warnings } = capturingLogger();
    informer = informerFor(new KubeClient(loadKubeConfig({ yaml: server.kubeconfig() })), logger);
    informer.start();
    await until(() => server.requestCounts.get('WATCH leases') === 1, 'the first watch');

    await advance(299);
    expect(server.requestCounts.get('WATCH leases')).toBe(1);
    await advance(2); // the server ends the stream at timeoutSeconds=300
    await until(() => server.requestCounts.get('WATCH leases') === 2, 'the second watch');
    await advance(305);
    await until(() => server.requestCounts.get('WATCH leases') === 3, 'the third watch');

    expect(server.requestCounts.get('LIST leases') ?? server.requestCounts.get('GET leases')).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('should presume a watch dead and restart it with a warning when the server stays silent past its timeout', async () => {
    // A server (or a proxy whose connection died) that never answers the stream nor closes it.
    let watches = 0;
    const held: ServerResponse[] = [];
    const silent: Server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      response.writeHead(200, { 'Content-Type': 'application/json' });
      if (url.searchParams.get('watch') === 'true') {
        watches += 1;
        response.flushHeaders();
        held.push(response);
        return;
      }
      response.end(JSON.stringify({ kind: 'LeaseList', metadata: { resourceVersion: '1' }, items: [] }));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closeServer = async () => {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    };
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const kubeconfig = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: url } }],
      users: [{ name: 'u', user: {} }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    });
    const { logger, warnings } = capturingLogger();
    informer = informerFor(
      new KubeClient(loadKubeConfig({ yaml: kubeconfig }), { watchGraceMs: 60_000 }),
      logger,
    );
    informer.start();
    await until(() => watches === 1, 'the first watch');

    await advance(300 + 59);
    expect(watches).toBe(1);
    await advance(5);
    await until(() => watches === 2, 'a new watch after the dead one');
    expect(warnings).toEqual(['Restarted watch after an error']);
  });
});
