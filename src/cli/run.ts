import { runWorker } from '../bridge/run-worker.js';
import { EXIT, type CliIo } from './cli-io.js';
import { withRuntime, type CommandOptions } from './with-runtime.js';

/** `run`: the daemon. Ticks on each bridge's schedule until stopped or --ticks N are done. */
export function runCommand(io: CliIo, options: CommandOptions & { ticks?: number }): Promise<number> {
  return withRuntime(io, options, { withStrategies: true, logTo: 'stdout' }, async ({ runtime, log, config }) => {
    log.info(
      { bridges: runtime.bridges.map((b) => ({ id: b.id, mode: b.config.mode, instrument: b.config.instrument, strategy: b.config.strategy, policy: b.config.policy, schedule: b.config.schedule })), store: runtime.store.where, dryRun: options.dryRun || undefined },
      'signal-bridge running',
    );
    await runWorker({ bridges: runtime.bridges, concurrency: config.concurrency, log, maxTicks: options.ticks, signal: io.signal });
    log.info('signal-bridge stopped');
    return EXIT.ok;
  });
}
