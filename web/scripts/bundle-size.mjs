// Measures what a first visit downloads: the scripts and styles index.html loads eagerly
// (the initial bundle), gzipped. Angular's budgets count raw bytes; the limit is gzipped.
//   node web/scripts/bundle-size.mjs dist/web/browser [limitKb]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = process.argv[2] ?? 'dist/web/browser';
const limitKb = Number(process.argv[3] ?? 250);
const html = readFileSync(join(dir, 'index.html'), 'utf8');

// index.html names the entry scripts, the stylesheet and the modulepreloads of initial chunks.
const files = new Set(
  [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)]
    .map((match) => match[1])
    .filter((file) => !/^https?:/.test(file)),
);
let raw = 0;
let gzipped = 0;
for (const file of files) {
  const bytes = readFileSync(join(dir, file));
  const size = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gzipped += size;
  console.log(
    `  ${file.padEnd(28)} ${(bytes.length / 1000).toFixed(1).padStart(8)} kB raw ${(size / 1000).toFixed(1).padStart(7)} kB gzip`,
  );
}
console.log(
  `Initial bundle: ${(raw / 1000).toFixed(1)} kB raw, ${(gzipped / 1000).toFixed(1)} kB gzipped (limit ${limitKb} kB gzipped)`,
);
if (gzipped > limitKb * 1000) {
  console.error(
    `The initial bundle is over budget by ${((gzipped - limitKb * 1000) / 1000).toFixed(1)} kB gzipped: lazy-load more.`,
  );
  process.exit(1);
}
