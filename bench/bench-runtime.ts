import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { openRuntime, type Runtime } from '../src/cli/open-runtime.js';
import { loadConfig } from '../src/config.js';
import { createLogger, type Logger } from '../src/logging/create-logger.js';
import { createSecrets } from '../src/logging/secrets.js';

export const ALTERNATE = fileURLToPath(new URL('./strategies/alternate.js', import.meta.url));

export type BenchStore = 'memory' | 'sqlite' | 'redis';

/** Deletes the local Redis's keys that hold `tag` (ours, hex: safe in the pattern); xargs keeps each DEL to 500 keys. */
export function deleteRedisKeys(tag: string): void {
  execFileSync('sh', ['-c', `redis-cli -h 127.0.0.1 --scan --pattern '*${tag}*' | xargs -r -n 500 redis-cli -h 127.0.0.1 del > /dev/null`]);
}

/**
 * A store for one measurement: memory, a fresh SQLite file, or the local Redis (127.0.0.1:6379)
 * with bridge IDs of their own, whose keys are deleted afterwards.
 */
function benchStore(kind: BenchStore): { url: string; tag: string; cleanUp(): void } {
  const tag = `bench-${randomUUID().slice(0, 8)}`;
  if (kind === 'memory') return { url: 'memory://', tag, cleanUp() {} };
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'sb-bench-'));
    return { url: `sqlite://${path.join(dir, 'state.db')}`, tag, cleanUp: () => rmSync(dir, { recursive: true, force: true }) };
  }
  return {
    url: 'redis://127.0.0.1:6379',
    tag,
    cleanUp() {
      deleteRedisKeys(tag);
    },
  };
}

/**
 * A runtime built the way the CLI builds it (config from env and a bridges file, one agent, one
 * session per user), with N bridges on N accounts, quiet logs and the store asked for.
 */
export async function benchRuntime(options: { url: string; bridges: number; schedule: string; concurrency?: number; store?: BenchStore }): Promise<{ runtime: Runtime; log: Logger; cleanUp(): void }> {
  const store = benchStore(options.store ?? 'memory');
  const file = JSON.stringify({
    defaults: { strategy: ALTERNATE, schedule: options.schedule },
    bridges: Array.from({ length: options.bridges }, (_, i) => ({ id: `${store.tag}-${i}`, account: `${store.tag}-${i}` })),
  });
  const config = loadConfig(
    {
      ALGOGENE_BASE_URL: options.url,
      ALGOGENE_USER: 'demo',
      ALGOGENE_API_KEY: 'demo-key',
      BRIDGE_CONFIG: 'bench.json',
      BRIDGE_STORE: store.url,
      BRIDGE_INSTRUMENT: 'BTCUSD',
      BRIDGE_CONCURRENCY: String(options.concurrency ?? 32),
      LOG_LEVEL: 'warn',
    },
    { readFile: () => file },
  );
  const secrets = createSecrets();
  const log = createLogger({ level: 'warn', secrets, destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  // Leases held as `run` holds them, so that the measured path is the daemon's.
  const lease = { host: hostname(), pid: process.pid, instance: randomUUID(), isAlive: () => true };
  const runtime = await openRuntime(config, { log, secrets, env: {}, withStrategies: true, lease });
  return { runtime, log, cleanUp: store.cleanUp };
}
