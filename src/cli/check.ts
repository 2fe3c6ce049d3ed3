import { EXIT, type CliIo } from './cli-io.js';
import { withRuntime, type CommandOptions } from './with-runtime.js';

/** `check`: the config is valid, a session token can be had, the account's trades can be listed. Sends no order. */
export function checkCommand(io: CliIo, options: CommandOptions): Promise<number> {
  return withRuntime(io, options, { withStrategies: true, startStrategies: false, logTo: 'stderr' }, async ({ runtime }) => {
    let ok = true;
    for (const bridge of runtime.bridges) {
      const c = bridge.config;
      try {
        const trades = await bridge.openedTrades();
        io.stdout.write(`ok   bridge ${c.id}: ${c.mode} (runmode ${c.runmode}) account ${c.accountId} ${c.instrument} strategy ${c.strategy}; session ok; ${trades.length} opened trade(s) on the account\n`);
        for (const t of trades) io.stdout.write(`       ${t.tradeId} ${t.side} ${t.volume} ${t.instrument} at ${t.price} orderRef ${t.orderRef || '-'}\n`);
      } catch (error) {
        ok = false;
        io.stdout.write(`FAIL bridge ${c.id}: ${(error as Error).message}\n`);
      }
    }
    return ok ? EXIT.ok : EXIT.failed;
  });
}
