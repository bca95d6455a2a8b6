// Serves the built portal: static files with an index.html fallback for client-side routes,
// `config.json` written from the environment (so one build runs against any API), and an
// optional reverse proxy for the API so the browser sees one origin, as behind the ingress.
//
//   PORT=4200 API_PROXY_TARGET=http://127.0.0.1:3000 node web/server/serve.mjs [dist/web/browser]
//
//   PORT              port to listen on (4200)
//   HOST              interface (0.0.0.0)
//   API_BASE_URL      what the portal calls; '' = same origin (default)
//   API_PROXY_TARGET  if set, /v1/*, /health, /ready and /openapi.json are forwarded there
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  // The deployment guide ships with the portal (/guide/deployment.md), read as text in the browser.
  '.md': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};
const API_PATHS = /^\/(v1\/|health$|ready$|openapi\.json$)/;

export function createPortalServer({ root, apiBaseUrl = '', apiProxyTarget = '' }) {
  const base = resolve(root);
  if (!existsSync(join(base, 'index.html')))
    throw new Error(`No built portal at ${base}: run "npx nx run web:build" first.`);
  const proxy = apiProxyTarget ? new URL(apiProxyTarget) : null;
  const config = JSON.stringify({ apiBaseUrl });

  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (proxy && API_PATHS.test(url.pathname)) return forward(req, res, proxy);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/config.json') {
      res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' }).end(config);
      return;
    }
    const file = normalize(join(base, decodeURIComponent(url.pathname)));
    const inside = file.startsWith(base + sep);
    const isFile = inside && existsSync(file) && statSync(file).isFile();
    // Unknown paths without an extension are client-side routes; missing assets are real 404s.
    if (!isFile && extname(url.pathname)) {
      res.writeHead(404, { 'content-type': TYPES['.txt'] }).end('Not found');
      return;
    }
    const target = isFile ? file : join(base, 'index.html');
    const hashed = /-[A-Za-z0-9_]{8,}\.(js|css)$/.test(target);
    res.writeHead(200, {
      'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
      // Hashed bundles never change; index.html must always be fresh to pick up a new build.
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(target).pipe(res);
  });
}

function forward(req, res, target) {
  const upstream = request(
    {
      hostname: target.hostname,
      port: target.port,
      path: req.url,
      method: req.method,
      headers: { ...req.headers, host: target.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      // Flush every chunk at once: the job event stream must not be buffered.
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'An upstream service failed',
          status: 502,
          detail: `The CineWeave API at ${target.origin} is not answering. Is it running?`,
          code: 'UPSTREAM_FAILED',
          errors: [],
        }),
      );
    } else res.destroy();
  });
  req.pipe(upstream);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? join(fileURLToPath(new URL('../..', import.meta.url)), 'dist/web/browser');
  const port = Number(process.env.PORT ?? 4200);
  const host = process.env.HOST ?? '0.0.0.0';
  const server = createPortalServer({
    root,
    apiBaseUrl: process.env.API_BASE_URL ?? '',
    apiProxyTarget: process.env.API_PROXY_TARGET ?? '',
  });
  server.listen(port, host, () => {
    console.log(`CineWeave portal on http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
}
