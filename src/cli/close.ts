import { EXIT, type CliIo } from './cli-io.js';
import type { CloseReport } from '../bridge/create-bridge.js';
import { askDaemonToClose, findHolderDaemon } from '../http/ask-daemon.js';
import { withRuntime, type CommandOptions, type RuntimeSetup } from './with-runtime.js';

/** `close`: close every tracked trade now and forget each one that is off the account; with --adopt-orphans also this bridge's untracked trades. */
export function closeCommand(io: CliIo, options: CommandOptions & { adoptOrphans?: boolean }): Promise<number> {
  // Another process on this host holds the bridge: ask it to close through its HTTP API.
  const onLeaseHeld: RuntimeSetup['onLeaseHeld'] = async (error, { config, secrets }) => {
    const daemon = await findHolderDaemon(config, error.holder).catch(() => undefined);
    if (!daemon) return undefined;
    let ok = true;
    for (const bridge of config.bridges.filter((b) => options.bridge === undefined || b.id === options.bridge)) {
      const answer = await askDaemonToClose(config, daemon, bridge.id, { adoptOrphans: options.adoptOrphans });
      if (!answer.ok) {
        io.stderr.write(`${secrets.redact(`bridge ${bridge.id}: not closed: ${answer.error}`)}\n`);
        ok = false;
        continue;
      }
      io.stdout.write(`bridge ${bridge.id}: asked the running daemon (pid ${daemon.pid}, ${daemon.url})\n`);
      ok = report(io, bridge.id, answer.results) && ok;
    }
    return ok ? EXIT.ok : EXIT.failed;
  };
  return withRuntime(io, options, { withStrategies: false, purpose: 'inspect', logTo: 'stderr', lease: true, onLeaseHeld }, async ({ runtime }) => {
    let ok = true;
    for (const bridge of runtime.bridges) {
      ok = report(io, bridge.id, await bridge.closeAll({ adoptOrphans: options.adoptOrphans })) && ok;
    }
    return ok ? EXIT.ok : EXIT.failed;
  });
}

/** One line per trade; false when one failed. */
function report(io: CliIo, bridgeId: string, results: CloseReport): boolean {
  if (results.length === 0) io.stdout.write(`bridge ${bridgeId}: nothing tracked\n`);
  for (const r of results) {
    io.stdout.write(`bridge ${bridgeId}: ${r.orphan ? 'orphan ' : ''}${r.orderRef ? `order ${r.orderRef}` : `trade ${r.tradeId}`} ${r.outcome}${r.error ? `: ${r.error}` : ''}\n`);
  }
  // A close submitted but not yet shown done is not done: the account may still hold it.
  return results.every((r) => r.outcome !== 'failed' && r.outcome !== 'closing');
}
