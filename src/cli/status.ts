import { readFleet } from '../fleet/read-fleet.js';
import { EXIT, type CliIo } from './cli-io.js';
import { daemonView } from '../http/ask-daemon.js';
import { withRuntime, type CommandOptions } from './with-runtime.js';

/** `status`: what the store tracks, and what the server says of each tracked trade. */
export function statusCommand(io: CliIo, options: CommandOptions & { json?: boolean }): Promise<number> {
  return withRuntime(io, options, { withStrategies: false, purpose: 'inspect', logTo: 'stderr' }, async ({ runtime, config: settings }) => {
    const statuses = await Promise.all(runtime.bridges.map((b) => b.status()));
    // Which process runs each bridge (its live lease), and in fleet mode the fleet's members.
    const fleet = await readFleet(runtime.store, statuses.map((s) => s.id), settings.fleet);
    // The daemon on this host that runs them, if it serves HTTP: its own view (last tick, halted).
    const daemon = await daemonView(runtime.store, runtime.bridges.map((b) => b.id));
    if (options.json) {
      const bridges = statuses.map((s) => ({ ...s, runBy: fleet.runners.get(s.id) ?? null }));
      io.stdout.write(`${JSON.stringify({ bridges, ...(fleet.members ? { fleet: { name: settings.fleet, members: fleet.members } } : {}), ...(daemon ? { daemon } : {}) }, null, 2)}\n`);
      return EXIT.ok;
    }
    if (fleet.members) {
      io.stdout.write(`fleet ${settings.fleet}: ${fleet.members.length} live instance(s)\n`);
      for (const m of fleet.members) io.stdout.write(`  ${m.pid}@${m.host} (instance ${m.instance}, since ${m.since}): ${m.holds} bridge(s)${m.leaving ? ', leaving' : ''}\n`);
    }
    if (daemon) io.stdout.write(describeDaemon(daemon));
    for (const status of statuses) {
      const config = runtime.bridges.find((b) => b.id === status.id)?.config;
      io.stdout.write(`bridge ${status.id} (${config?.mode} ${config?.instrument}, account ${config?.accountId})\n`);
      const runner = fleet.runners.get(status.id);
      io.stdout.write(runner ? `  run by ${runner.pid}@${runner.host} (instance ${runner.instance}, since ${runner.since})\n` : '  run by no process now (no live lease)\n');
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

/** The running daemon's view, a line per bridge it runs. */
function describeDaemon(view: NonNullable<Awaited<ReturnType<typeof daemonView>>>): string {
  const lines = [`daemon: pid ${view.daemon.pid} on ${view.daemon.host}, serving ${view.daemon.url}`];
  for (const b of view.bridges) {
    const last = b.lastTick ? `last tick ${b.lastTick.at} ${b.lastTick.outcome}${b.lastTick.signal ? ` ${b.lastTick.signal}` : ''}${b.lastTick.error ? ` (${b.lastTick.error})` : ''}` : 'no tick yet';
    lines.push(`  bridge ${b.id}: ${b.halted ? 'HALTED, ' : ''}${b.lease.held ? 'lease held' : 'LEASE NOT HELD'}, ${last}${b.failingStreak > 0 ? `, ${b.failingStreak} failed in a row` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
