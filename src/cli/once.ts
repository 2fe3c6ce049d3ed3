import { createLimiter } from '../bridge/create-limiter.js';
import { EXIT, type CliIo } from './cli-io.js';
import { ONE_SHOT_LEASE_TTL_MS } from './one-shot-lease-ttl.js';
import { withRuntime, type CommandOptions } from './with-runtime.js';

/** `once`: one tick of every bridge (or --bridge ID) now. Exit 0 when each did what its signal asked. */
export function onceCommand(io: CliIo, options: CommandOptions): Promise<number> {
  return withRuntime(io, options, { withStrategies: true, logTo: 'stdout', lease: !options.dryRun, leaseTtlMs: ONE_SHOT_LEASE_TTL_MS }, async ({ runtime, config }) => {
    const now = new Date();
    // The same bound as run: many bridges share one connection pool.
    const limit = createLimiter(config.concurrency);
    const results = await Promise.all(runtime.bridges.map((bridge) => limit(() => bridge.tick(now))));
    return results.every((r) => r.ok) ? EXIT.ok : EXIT.failed;
  });
}
