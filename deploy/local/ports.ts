import { createServer } from 'node:net';

/** Resolves true when nothing listens on 127.0.0.1:port. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** An ephemeral port the kernel considers free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * The preferred port when it is free (so URLs stay the same from run to run), otherwise any
 * free one: a second stack or another program on the machine must not stop this one. 0 asks
 * for any free port (PORT=0 WEB_PORT=0 for a stack beside another, as the tests run it).
 */
export async function pickPort(preferred: number): Promise<number> {
  return preferred > 0 && (await isPortFree(preferred)) ? preferred : freePort();
}
