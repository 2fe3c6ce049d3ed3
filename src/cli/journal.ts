import { CSV_COLUMNS, csvRow, formatEntry } from '../journal/format-entry.js';
import { EXIT, type CliIo } from './cli-io.js';
import { sinceOption } from './since-option.js';
import { withRuntime, type CommandOptions } from './with-runtime.js';

export interface JournalOptions extends CommandOptions {
  readonly since?: string;
  readonly json?: boolean;
  readonly csv?: boolean;
}

/** `journal`: the record of every bridge (or one), oldest first, as text, JSON Lines or CSV. */
export function journalCommand(io: CliIo, options: JournalOptions): Promise<number> {
  const since = sinceOption(io, options.since);
  if (since === null) return Promise.resolve(EXIT.config);
  // A bridge no longer configured still has its record: --bridge is not checked against the config.
  return withRuntime(io, { ...options, bridge: undefined }, { withStrategies: false, purpose: 'inspect', logTo: 'stderr' }, async ({ runtime }) => {
    const journal = runtime.record.journal;
    const entries = await journal.entries({ bridge: options.bridge, since });
    // `journal --json | head` closes the pipe early: stop writing, and that is no failure.
    let closed = false;
    io.stdout.on('error', () => {
      closed = true;
    });
    if (options.csv) io.stdout.write(`${CSV_COLUMNS.join(',')}\n`);
    for (const entry of entries) {
      if (closed) break;
      io.stdout.write(`${options.json ? JSON.stringify(entry) : options.csv ? csvRow(entry) : formatEntry(entry)}\n`);
    }
    if (!options.json && !options.csv && entries.length === 0) io.stderr.write('journal: no entries\n');
    return EXIT.ok;
  });
}

/** `journal verify`: checks every chain; exit 1 naming the first broken entry of each broken chain. */
export function journalVerifyCommand(io: CliIo, options: CommandOptions): Promise<number> {
  return withRuntime(io, { ...options, bridge: undefined }, { withStrategies: false, purpose: 'inspect', logTo: 'stderr' }, async ({ runtime }) => {
    const journal = runtime.record.journal;
    const checks = await journal.verify(options.bridge);
    let code: number = EXIT.ok;
    for (const check of checks) {
      if (check.ok) io.stdout.write(`bridge ${check.bridge}: ${check.entries} entries, chain intact${check.head ? ` (head ${check.head.slice(0, 12)})` : ''}\n`);
      else {
        io.stdout.write(`bridge ${check.bridge}: BROKEN at entry ${check.seq}: ${check.reason}\n`);
        runtime.alerts.verifyFailed(check.bridge, check.seq, check.reason);
        code = EXIT.failed;
      }
    }
    if (checks.length === 0) io.stdout.write('journal: no entries to verify\n');
    return code;
  });
}
