import { EXIT, type CliIo } from './cli-io.js';
import { withRuntime, type CommandOptions } from './with-runtime.js';

/** `status`: what the store tracks, and what the server says of each tracked trade. */
export function statusCommand(io: CliIo, options: CommandOptions & { json?: boolean }): Promise<number> {
  return withRuntime(io, options, { withStrategies: false, logTo: 'stderr' }, async ({ runtime }) => {
    const statuses = await Promise.all(runtime.bridges.map((b) => b.status()));
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ bridges: statuses }, null, 2)}\n`);
      return EXIT.ok;
    }
    for (const status of statuses) {
      const config = runtime.bridges.find((b) => b.id === status.id)?.config;
      io.stdout.write(`bridge ${status.id} (${config?.mode} ${config?.instrument}, account ${config?.accountId})\n`);
      if (status.tracked.length === 0) io.stdout.write('  no trade tracked\n');
      for (const { trade, server } of status.tracked) {
        const where =
          server.where === 'open'
            ? `open at ${server.trade.price}, unrealizedPL ${server.trade.unrealizedPL ?? '?'}`
            : server.where === 'unknown'
              ? `not shown by the server, not closed either (kept): ${server.detail}`
              : server.where === 'pending'
                ? 'pending (not filled yet)'
                : `closed on the server at ${server.price ?? '?'}${server.reason ? ` (${server.reason})` : ''} (the next tick forgets it)`;
        const closing = trade.status === 'closing' ? ` [closing since ${trade.closeSentAt}]` : '';
        io.stdout.write(`  trade ${trade.tradeId} ${trade.side} ${trade.volume} ${trade.instrument} opened ${trade.openedAt}${closing}: ${where}\n`);
      }
      if (status.pendingIntents > 0) io.stdout.write(`  ${status.pendingIntents} order(s) awaiting reconciliation\n`);
      if ('error' in status.orphans) io.stdout.write(`  orphans: could not look (${status.orphans.error})\n`);
      else {
        for (const { trade, where } of status.orphans) {
          io.stdout.write(`  ORPHAN trade ${trade.tradeId} ${trade.side} ${trade.volume} ${trade.instrument} (${where}, orderRef ${trade.orderRef}): not tracked; close it with close --adopt-orphans\n`);
        }
      }
    }
    return EXIT.ok;
  });
}
