import { createLimiter } from '../bridge/create-limiter.js';
import { LeaseLostError } from '../bridge/lease-lost-error.js';
import { runWorker } from '../bridge/run-worker.js';
import { FenceError } from '../store/fence-error.js';
import { EXIT, type CliIo } from './cli-io.js';
import { withRuntime, type CommandOptions } from './with-runtime.js';

/** `run`: the daemon. Ticks on each bridge's schedule until stopped or --ticks N are done. */
export function runCommand(io: CliIo, options: CommandOptions & { ticks?: number; standby?: boolean }): Promise<number> {
  return withRuntime(io, options, { withStrategies: true, logTo: 'stdout', lease: !options.dryRun, standby: options.standby }, async ({ runtime, log, config }) => {
    log.info(
      { bridges: runtime.bridges.map((b) => ({ id: b.id, mode: b.config.mode, instrument: b.config.instrument, strategy: b.config.strategy, policy: b.config.policy, schedule: b.config.schedule })), store: runtime.store.where, dryRun: options.dryRun || undefined },
      'signal-bridge running',
    );
    // Bounded like ticks: thousands of start-up checks at once would block the loop and balloon the heap.
    const limit = createLimiter(config.concurrency);
    await Promise.all(runtime.bridges.map((b) => limit(() => b.startup())));
    // The prefetch renews each lease before every tick; this timer only catches a lease that
    // went unrenewed for a third of its TTL (a tick that ran long), so that it never lapses.
    // keepAlive writes nothing otherwise: with many bridges, a write each per 10 s would add up.
    const renewal = setInterval(() => {
      for (const lease of runtime.leases.values()) void lease.keepAlive().catch(() => false);
    }, 10_000);
    renewal.unref();
    const lost = new Set<string>();
    const stop = new AbortController();
    // SIGTERM may have come during start-up, before anyone listened.
    if (io.signal.aborted) stop.abort();
    else io.signal.addEventListener('abort', () => stop.abort(), { once: true });
    try {
      await runWorker({
        bridges: runtime.bridges,
        concurrency: config.concurrency,
        log,
        maxTicks: options.ticks,
        signal: stop.signal,
        isRetired: (bridge) => lost.has(bridge.id),
        onTick: ({ bridge, result }) => {
          // Another process has this bridge now: retired at once, never ticked again. (A store that
          // cannot be reached is not that: the bridge waits for it and resumes.)
          if (!(result.error instanceof LeaseLostError || result.error instanceof FenceError)) return;
          if (!lost.has(bridge.id)) log.error({ bridge: bridge.id, error: result.error.message }, 'bridge retired: another process holds it now');
          lost.add(bridge.id);
          if (lost.size === runtime.bridges.length) stop.abort();
        },
      });
    } finally {
      clearInterval(renewal);
    }
    log.info('signal-bridge stopped');
    return lost.size > 0 ? EXIT.failed : EXIT.ok;
  });
}
