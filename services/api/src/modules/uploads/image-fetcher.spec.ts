import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchImage, type ImageFetchOptions, isPrivateAddress } from './image-fetcher.ts';

const OPEN: ImageFetchOptions = {
  allowPrivate: true,
  timeoutMs: 3_000,
  maxRedirects: 3,
  maxBytes: 64 * 1024,
};
const GUARDED: ImageFetchOptions = { ...OPEN, allowPrivate: false };

describe(isPrivateAddress.name, () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    'fc00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '2002:7f00:1::1',
    // IPv6 forms embedding a private IPv4 address: NAT64, compatible, translated, mapped, Teredo.
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::169.254.169.254',
    '64:ff9b::7f00:1',
    '::a9fe:a9fe',
    '::127.0.0.1',
    '::10.0.0.1',
    '::ffff:0:7f00:1',
    '::ffff:0:169.254.169.254',
    '0:0:0:0:0:ffff:7f00:1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    'not-an-address',
  ])('should call %s private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('should call %s public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe(fetchImage.name, () => {
  let server: Server;
  let base: string;
  let hits: string[] = [];
  let bytesSentByEndless = 0;

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      hits.push(request.url ?? '');
      const path = request.url ?? '/';
      if (path === '/small') {
        response.writeHead(200, { 'content-type': 'image/png' });
        response.end(Buffer.alloc(1000, 7));
      } else if (path === '/declared-huge') {
        response.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
        response.write(Buffer.alloc(1000));
      } else if (path === '/endless') {
        // Chunked, no length: the fetcher must stop reading once past the limit.
        response.writeHead(200, { 'content-type': 'image/png' });
        const chunk = Buffer.alloc(16 * 1024, 1);
        const pump = () => {
          while (!response.destroyed && bytesSentByEndless < 50 * 1024 * 1024) {
            bytesSentByEndless += chunk.length;
            if (!response.write(chunk)) return void response.once('drain', pump);
          }
          response.end();
        };
        response.on('close', () => undefined);
        pump();
      } else if (path.startsWith('/hop/')) {
        const left = Number(path.slice(5));
        response.writeHead(302, { location: left > 0 ? `/hop/${left - 1}` : '/small' });
        response.end();
      } else if (path === '/to-file') {
        response.writeHead(301, { location: 'file:///etc/passwd' });
        response.end();
      } else if (path === '/slow') {
        response.writeHead(200);
        response.write(Buffer.alloc(10));
        // Never ends: the deadline must.
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('no such image');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('should return the body when the server answers 200', async () => {
    const fetched = await fetchImage(`${base}/small`, OPEN);
    expect(fetched.bytes).toEqual(Buffer.alloc(1000, 7));
  });

  it('should follow redirects when there are at most maxRedirects', async () => {
    const fetched = await fetchImage(`${base}/hop/2`, OPEN);
    expect(fetched.finalUrl).toBe(`${base}/small`);
    expect(fetched.bytes).toHaveLength(1000);
  });

  it('should refuse when the redirects exceed maxRedirects', async () => {
    await expect(fetchImage(`${base}/hop/3`, OPEN)).rejects.toMatchObject({ reason: 'too-many-redirects' });
  });

  it('should refuse with the status when the server answers 404', async () => {
    await expect(fetchImage(`${base}/nothing`, OPEN)).rejects.toMatchObject({
      reason: 'http-status',
      message: expect.stringContaining('HTTP 404'),
    });
  });

  it('should refuse before reading when Content-Length is over the limit', async () => {
    await expect(fetchImage(`${base}/declared-huge`, OPEN)).rejects.toMatchObject({ reason: 'too-large' });
  });

  it('should stop reading early when a body without length grows past the limit', async () => {
    await expect(fetchImage(`${base}/endless`, OPEN)).rejects.toMatchObject({ reason: 'too-large' });
    // The server was cut off long before it could send its 50 MB.
    expect(bytesSentByEndless).toBeLessThan(10 * 1024 * 1024);
  });

  it('should give up when the download outlives the deadline', async () => {
    const started = Date.now();
    await expect(fetchImage(`${base}/slow`, { ...OPEN, timeoutMs: 300 })).rejects.toMatchObject({
      reason: 'timeout',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('should refuse when nothing listens on the port', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(fetchImage(`http://127.0.0.1:${port}/x`, OPEN)).rejects.toMatchObject({
      reason: 'unreachable',
      message: expect.stringContaining('refused'),
    });
  });

  it('should refuse a non-http scheme', async () => {
    await expect(fetchImage('file:///etc/passwd', OPEN)).rejects.toMatchObject({ reason: 'invalid-url' });
  });

  it('should refuse a loopback IP literal without connecting when private addresses are not allowed', async () => {
    hits = [];
    await expect(fetchImage(`${base}/small`, GUARDED)).rejects.toMatchObject({ reason: 'private-address' });
    expect(hits).toEqual([]);
  });

  it('should refuse a host name that resolves to loopback when private addresses are not allowed', async () => {
    hits = [];
    const port = (server.address() as AddressInfo).port;
    await expect(fetchImage(`http://localhost:${port}/small`, GUARDED)).rejects.toMatchObject({
      reason: 'private-address',
      message: expect.stringContaining('localhost'),
    });
    expect(hits).toEqual([]);
  });

  it('should refuse an IPv6 loopback literal when private addresses are not allowed', async () => {
    await expect(fetchImage('http://[::1]:9/x', GUARDED)).rejects.toMatchObject({
      reason: 'private-address',
    });
  });

  it('should check every redirect hop when a redirect leaves http(s)', async () => {
    await expect(fetchImage(`${base}/to-file`, OPEN)).rejects.toMatchObject({ reason: 'invalid-url' });
  });
});
