import { EXIT, type CliIo } from './cli-io.js';
import { withRuntime, type CommandOptions } from './with-runtime.js';

/** `close`: close every tracked trade now and forget each one that is off the account; with --adopt-orphans also this bridge's untracked trades. */
export function closeCommand(io: CliIo, options: CommandOptions & { adoptOrphans?: boolean }): Promise<number> {
  return withRuntime(io, options, { withStrategies: false, logTo: 'stderr', lease: true }, async ({ runtime }) => {
    let ok = true;
    for (const bridge of runtime.bridges) {
      const results = await bridge.closeAll({ adoptOrphans: options.adoptOrphans });
      if (results.length === 0) io.stdout.write(`bridge ${bridge.id}: nothing tracked\n`);
      for (const r of results) {
        io.stdout.write(`bridge ${bridge.id}: ${r.orphan ? 'orphan ' : ''}${r.orderRef ? `order ${r.orderRef}` : `trade ${r.tradeId}`} ${r.outcome}${r.error ? `: ${r.error}` : ''}\n`);
        // A close submitted but not yet shown done is not done: the account may still hold it.
        if (r.outcome === 'failed' || r.outcome === 'closing') ok = false;
      }
    }
    return ok ? EXIT.ok : EXIT.failed;
  });
}
