import { EXIT, type CliIo } from './cli-io.js';
import { withRuntime, type CommandOptions } from './with-runtime.js';

/** `once`: one tick of every bridge (or --bridge ID) now. Exit 0 when each did what its signal asked. */
export function onceCommand(io: CliIo, options: CommandOptions): Promise<number> {
  return withRuntime(io, options, { withStrategies: true, logTo: 'stdout', lease: !options.dryRun }, async ({ runtime }) => {
    const now = new Date();
    const results = await Promise.all(runtime.bridges.map((bridge) => bridge.tick(now)));
    return results.every((r) => r.ok) ? EXIT.ok : EXIT.failed;
  });
}
