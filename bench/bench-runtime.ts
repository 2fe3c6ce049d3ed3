import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { openRuntime, type Runtime } from '../src/cli/open-runtime.js';
import { loadConfig } from '../src/config.js';
import { createLogger, type Logger } from '../src/logging/create-logger.js';
import { createSecrets } from '../src/logging/secrets.js';

export const ALTERNATE = fileURLToPath(new URL('./strategies/alternate.js', import.meta.url));

/**
 * A runtime built the way the CLI builds it (config from env and a bridges file, one agent, one
 * session per user), with N bridges on N accounts, quiet logs and an in-memory store.
 */
export async function benchRuntime(options: { url: string; bridges: number; schedule: string; concurrency?: number }): Promise<{ runtime: Runtime; log: Logger }> {
  const file = JSON.stringify({
    defaults: { strategy: ALTERNATE, schedule: options.schedule },
    bridges: Array.from({ length: options.bridges }, (_, i) => ({ id: `b${i}`, account: `bench-${i}` })),
  });
  const config = loadConfig(
    {
      ALGOGENE_BASE_URL: options.url,
      ALGOGENE_USER: 'demo',
      ALGOGENE_API_KEY: 'demo-key',
      BRIDGE_CONFIG: 'bench.json',
      BRIDGE_STORE: 'memory://',
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
  return { runtime, log };
}
