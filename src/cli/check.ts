import type { Config, EffectiveValue } from '../config.js';
import { VARS, type VarName } from '../config/vars.js';
import { EXIT, type CliIo } from './cli-io.js';
import { withRuntime, type CommandOptions } from './with-runtime.js';

/**
 * `check`: the whole effective configuration, each value with where it came from (secrets
 * masked), then the proof that each bridge's account answers. Sends no order.
 */
export function checkCommand(io: CliIo, options: CommandOptions): Promise<number> {
  return withRuntime(io, options, { withStrategies: true, startStrategies: false, logTo: 'stderr' }, async ({ runtime, config }) => {
    printConfiguration(io, config, runtime.bridges.map((b) => b.id));
    let ok = true;
    for (const bridge of runtime.bridges) {
      try {
        const proof = await bridge.proveAccount();
        ok &&= proof.ok;
        for (const line of proof.lines) io.stdout.write(`${line}\n`);
      } catch (error) {
        ok = false;
        io.stdout.write(`FAIL bridge ${bridge.id}: ${(error as Error).message}\n`);
      }
    }
    return ok ? EXIT.ok : EXIT.failed;
  });
}

function printConfiguration(io: CliIo, config: Config, ids: readonly string[]): void {
  const isProcess = (row: EffectiveValue) => (VARS as Record<string, { scope?: string }>)[row.name as VarName]?.scope === 'process';
  const first = config.effective[ids[0] ?? ''] ?? [];
  const table = (rows: readonly EffectiveValue[]) => {
    const width = Math.max(...rows.map((r) => r.name.length));
    const valueWidth = Math.min(40, Math.max(...rows.map((r) => r.value.length)));
    for (const r of rows) io.stdout.write(`  ${r.name.padEnd(width)}  ${r.value.padEnd(valueWidth)}  ${`(${r.source})`.padEnd(15)} ${r.meaning}\n`);
  };
  io.stdout.write('configuration of the process (value, where it came from, meaning):\n');
  table(first.filter(isProcess));
  for (const id of ids) {
    io.stdout.write(`configuration of bridge ${id}:\n`);
    table((config.effective[id] ?? []).filter((r) => !isProcess(r)));
  }
  for (const name of config.unused) io.stdout.write(`note: ${name} is set but no bridge's strategy reads it (a setting of another strategy)\n`);
}
