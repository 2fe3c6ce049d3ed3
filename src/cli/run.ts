import { createLimiter } from '../bridge/create-limiter.js';
import { LeaseLostError } from '../bridge/lease-lost-error.js';
import { runWorker } from '../bridge/run-worker.js';
import { ConfigError } from '../config-error.js';
import { heldLeases } from '../fleet/held-leases.js';
import { openFleet } from '../fleet/open-fleet.js';
import { readFleet } from '../fleet/read-fleet.js';
import { createTakeOverReport } from '../fleet/report-take-over.js';
import { prepareRunHttp } from '../http/serve-run.js';
import { FenceError } from '../store/fence-error.js';
import { EXIT, type CliIo } from './cli-io.js';
import { createSkipReport } from './create-skip-report.js';
import { refusedCredentials } from './refused-credentials.js';
import { withRuntime, type CommandOptions } from './with-runtime.js';

/** `run`: the daemon. Ticks on each bridge's schedule until stopped or --ticks N are done. */
export function runCommand(io: CliIo, options: CommandOptions & { ticks?: number; standby?: boolean; fleet?: boolean }): Promise<number> {
  const fleetOf = (config: { fleet?: string }) => (options.fleet === true || config.fleet !== undefined ? (config.fleet ?? 'default') : undefined);
  const http = prepareRunHttp();
  return withRuntime(io, options, { withStrategies: true, logTo: 'stdout', lease: !options.dryRun, standby: options.standby, fleet: (config) => fleetOf(config) !== undefined, observe: http.observe }, async ({ runtime, log, config, secrets }) => {
    const fleetName = fleetOf(config);
    if (fleetName !== undefined && options.bridge !== undefined) {
      io.stderr.write('config: BRIDGE_FLEET: --bridge runs one bridge, a fleet shares them all: use one or the other\n');
      return EXIT.config;
    }
    if (fleetName !== undefined && (options.dryRun || !runtime.identity)) {
      io.stderr.write('config: BRIDGE_FLEET: a dry run takes no lease, so it cannot share bridges with a fleet: run --dry-run without --fleet\n');
      return EXIT.config;
    }
    let fleet;
    const tookOver = createTakeOverReport({
      schedules: new Map(runtime.bridges.map((b) => [b.id, b.config.schedule])),
      log: log.child({ module: 'fleet', fleet: fleetName }),
      count: (id, moments) => http.metrics()?.missedMoments(id, moments),
    });
    try {
      fleet =
        fleetName !== undefined && runtime.identity
          ? openFleet({
              name: fleetName,
              store: runtime.store,
              bridges: runtime.bridges,
              leases: runtime.leases,
              me: runtime.identity,
              log,
              // The journal of a bridge that moved here was written elsewhere meanwhile: read its head again.
              // Only the holder writes a chain (the store refuses anyone else), so a release or a loss is not
              // journaled here: the next holder's 'acquired' entry (naming it) says the bridge moved.
              onChange: (id, change, detail) => {
                if (change !== 'acquired' || !runtime.identity) return;
                runtime.record.journal.resync(id);
                runtime.record.events.forBridge(id).record({ type: 'lease', change, holder: `${runtime.identity.pid}@${runtime.identity.host}` });
                if (detail?.died) tookOver(id, detail.died);
              },
              // Closes still being confirmed are journaled before the lease goes, not refused after it.
              beforeRelease: (id) => runtime.record.events.settle(id, config.httpTimeoutMs),
            })
          : undefined;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const problem of error.problems) io.stderr.write(`config: ${problem}\n`);
      return EXIT.config;
    }
    log.info(
      { bridges: runtime.bridges.map((b) => ({ id: b.id, mode: b.config.mode, instrument: b.config.instrument, strategy: b.config.strategy, policy: b.config.policy, schedule: b.config.schedule })), store: runtime.store.where, dryRun: options.dryRun || undefined, fleet: fleetName },
      'signal-bridge running',
    );
    // A wrong key stops here (exit 2), before any tick: it would fail every one of them.
    const refused = await refusedCredentials(runtime.bridges, io.signal);
    if (refused.length > 0) {
      for (const problem of refused) io.stderr.write(`config: ${problem}\n`);
      return EXIT.config;
    }
    let served;
    try {
      // In a fleet, readiness and metrics look at the leases this instance holds, not at the others'.
      const seen = fleet ? { ...runtime, leases: heldLeases(runtime.leases, fleet.isMine) } : runtime;
      const ids = runtime.bridges.map((b) => b.id);
      served = await http.start({
        config,
        runtime: seen,
        log,
        secrets,
        instance: runtime.identity?.instance,
        runsHere: fleet && ((id) => fleet.isMine(id)),
        // /api/bridges says which instance runs each bridge, as `status` does: from the store, not from this instance's view.
        fleet: fleet && fleetName !== undefined ? { name: fleetName, read: () => readFleet(runtime.store, ids, fleetName) } : undefined,
      });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const problem of error.problems) io.stderr.write(`config: ${secrets.redact(problem)}\n`);
      return EXIT.config;
    }
    const stop = new AbortController();
    // SIGTERM may have come during start-up, before anyone listened.
    if (io.signal.aborted) stop.abort();
    else io.signal.addEventListener('abort', () => stop.abort(), { once: true });
    // In a fleet, a bridge's start-up settling happens in its first tick here (runTick settles
    // intents first): running it for every bridge of the config would write for bridges others hold.
    if (fleet) {
      stop.signal.addEventListener('abort', () => void fleet.leave(), { once: true });
      await fleet.start();
    } else {
      // Bounded like ticks: thousands of start-up checks at once would block the loop and balloon the heap.
      const limit = createLimiter(config.concurrency);
      await Promise.all(runtime.bridges.map((b) => limit(() => b.startup())));
    }
    // The prefetch renews each lease before every tick; this timer only catches a lease that
    // went unrenewed for a third of its TTL (a tick that ran long), so that it never lapses.
    // keepAlive writes nothing otherwise: with many bridges, a write each per 10 s would add up.
    // A fleet renews its own leases every round.
    const renewal = setInterval(() => {
      if (!fleet) for (const lease of runtime.leases.values()) void lease.keepAlive().catch(() => false);
    }, 10_000);
    renewal.unref();
    const lost = new Set<string>();
    const ticks = { done: 0, ok: 0 };
    // Without a server there are no metrics (nobody would read them): skipped moments are still logged, journaled and notified.
    const metrics = http.metrics();
    const skipped = createSkipReport({ alerts: runtime.alerts, events: runtime.record.events, count: metrics && ((id, reason, moments) => metrics.skippedMoments(id, reason, moments)) });
    try {
      await runWorker({
        bridges: fleet ? served.bridges.map((b) => fleet.track(b)) : served.bridges,
        concurrency: config.concurrency,
        log,
        maxTicks: options.ticks,
        signal: stop.signal,
        // Asked at every moment: in a fleet, a bridge this instance does not hold now is not ticked now.
        isRetired: (bridge) => lost.has(bridge.id) || (fleet !== undefined && !fleet.isMine(bridge.id)),
        onMoment: metrics && (({ schedule, lateMs }) => metrics.momentLateness(schedule, lateMs / 1000)),
        onSkipped: skipped,
        onTick: (event) => {
          const { bridge, result } = event;
          ticks.done += 1;
          if (result.ok) ticks.ok += 1;
          served.onTick(event);
          // Another process has this bridge now (a renewal found another holder, or a fenced write
          // was refused). A store that cannot be reached is not that: the bridge waits and resumes.
          if (!(result.error instanceof LeaseLostError || result.error instanceof FenceError)) return;
          // In a fleet a lost lease is a bridge that moved; alone, it is a process that must stop.
          if (fleet) return fleet.leaseLost(bridge.id);
          if (!lost.has(bridge.id)) log.error({ bridge: bridge.id, error: result.error.message }, 'bridge retired: another process holds it now');
          lost.add(bridge.id);
          if (lost.size === runtime.bridges.length) stop.abort();
        },
      });
    } finally {
      clearInterval(renewal);
      await fleet?.stop();
      tookOver.close();
      await served.stop();
    }
    log.info('signal-bridge stopped');
    // run --ticks N in which not one tick succeeded did nothing it was asked to: say so by the exit code.
    if (options.ticks !== undefined && ticks.done > 0 && ticks.ok === 0) {
      log.error({ ticks: ticks.done }, 'every tick failed');
      return EXIT.failed;
    }
    return lost.size > 0 ? EXIT.failed : EXIT.ok;
  });
}
