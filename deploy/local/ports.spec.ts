import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, isPortFree, pickPort } from './ports.ts';

describe('pickPort', () => {
  it('should keep the preferred port when it is free', async () => {
    const port = await freePort();
    expect(await pickPort(port)).toBe(port);
  });

  it('should choose another port when the preferred one is taken', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const taken = (server.address() as { port: number }).port;
    try {
      expect(await isPortFree(taken)).toBe(false);
      const chosen = await pickPort(taken);
      expect(chosen).not.toBe(taken);
      expect(await isPortFree(chosen)).toBe(true);
    } finally {
      server.close();
    }
  });
});

describe('pickPort(0)', () => {
  it('should choose a free port when asked for any', async () => {
    const chosen = await pickPort(0);
    expect(chosen).toBeGreaterThan(0);
    expect(await isPortFree(chosen)).toBe(true);
  });
});
