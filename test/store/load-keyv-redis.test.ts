/**
 * The built CLI loads @keyv/redis and node-redis from the one file that `npm run build` bundles
 * (their 420 modules were a third of a command's start on Redis), and the store works through it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CREATE_STORE = fileURLToPath(new URL('../../dist/src/store/create-store.js', import.meta.url));

describe('the Redis adapter of the built CLI', () => {
  it('comes from the bundle, not from node-redis module by module, and reads back what it wrote', () => {
    expect(existsSync(CREATE_STORE), 'run npm run build first').toBe(true);
    const script = `
      import { createRequire } from 'node:module';
      const { createStore } = await import(${JSON.stringify(CREATE_STORE)});
      const store = await createStore('redis://127.0.0.1:6379');
      const key = 'bundle-check-' + process.pid;
      await store.keyv.set(key, 'written');
      const read = await store.keyv.get(key);
      await store.keyv.delete(key);
      await store.close();
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('/node_modules/@redis/'));
      console.log(JSON.stringify({ read, loaded: loaded.length }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ read: 'written', loaded: 0 });
  });
});
