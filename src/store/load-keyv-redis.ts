import { existsSync } from 'node:fs';

/**
 * @keyv/redis, from the one-file bundle that `npm run build` puts beside this module
 * (scripts/bundle-redis-adapter.mjs): node-redis is some 420 modules, and loading them was a
 * third of the start of a command on Redis. Run from the sources (the tests), there is no
 * bundle, and the package itself is loaded.
 */
export async function loadKeyvRedis(): Promise<typeof import('@keyv/redis')> {
  const bundle = new URL('./keyv-redis.bundle.js', import.meta.url);
  if (existsSync(bundle)) return (await import(bundle.href)) as typeof import('@keyv/redis');
  return import('@keyv/redis');
}
