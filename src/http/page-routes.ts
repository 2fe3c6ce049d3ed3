import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** The page's files live in src/http/page (not compiled); from dist/ they are found from the package root. */
function pageDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('signal-bridge: package root not found for the status page');
    dir = parent;
  }
  return path.join(dir, 'src/http/page');
}

/** chart.js's own UMD build, from node_modules: the page loads nothing from a CDN. */
function chartJsFile(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return path.join(path.dirname(main), 'chart.umd.min.js');
}

const ASSETS = {
  'status.js': 'text/javascript; charset=utf-8',
  'status.css': 'text/css; charset=utf-8',
} as const;

/** GET / the status page, and its assets under /assets/. Read once, served from memory. */
export function registerPageRoutes(app: FastifyInstance): void {
  const dir = pageDir();
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  const files = new Map<string, { type: string; body: Buffer }>(Object.entries(ASSETS).map(([name, type]) => [name, { type, body: readFileSync(path.join(dir, name)) }]));
  files.set('chart.umd.min.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(chartJsFile()) });
  const headers = {
    'cache-control': 'no-cache',
    // Everything comes from this server; the page runs no inline script.
    'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  };
  app.get('/', async (_request, reply) => reply.headers(headers).type('text/html; charset=utf-8').send(html));
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const file = files.get(request.params.name);
    if (!file) return reply.code(404).send({ error: 'no such asset' });
    return reply.headers(headers).type(file.type).send(file.body);
  });
}
