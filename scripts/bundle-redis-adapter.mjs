// Part of `npm run build`: @keyv/redis and node-redis, some 420 modules, bundled into one file
// beside dist/src/store/create-store.js, which loads it instead of the package (see
// src/store/load-keyv-redis.ts). Reading and compiling one file instead of 420 takes about
// 90 ms off every command on Redis (`once` from a cron job pays it at each run). The bundle is
// made from the installed packages, so it holds exactly the versions package-lock.json names.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// The package's ESM entry (require.resolve would name its CommonJS one).
const entry = fileURLToPath(import.meta.resolve('@keyv/redis'));
const outfile = fileURLToPath(new URL('../dist/src/store/keyv-redis.bundle.js', import.meta.url));

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Keyv is the store's own dependency too: one copy of it in the process.
  external: ['keyv'],
  // node-redis is CommonJS: give the bundle the `require` it expects for Node's built-ins.
  banner: { js: "import { createRequire as __sbCreateRequire } from 'node:module'; const require = __sbCreateRequire(import.meta.url);" },
  legalComments: 'inline',
  logLevel: 'warning',
});
