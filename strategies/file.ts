import path from 'node:path';
import { StrategyLoadError } from '../src/strategy/load-strategy.js';
import { readSignalFile } from '../src/strategy/read-signal-file.js';
import type { Setting } from '../src/config/setting.js';
import { SIGNAL_MAX_AGE_SETTING, signalMaxAgeMs } from '../src/strategy/signal-max-age.js';
import { createSignalEmitter } from '../src/strategy/signal-emitter.js';
import { watchSignalFile, type SignalFileWatcher } from '../src/strategy/watch-signal-file.js';
import type { Strategy, StrategyOptions } from '../src/strategy/types.js';

/** A signal is a word or a small JSON object: a bigger file is not one. */
export const MAX_FILE_BYTES = 64 * 1024;

export const settings: readonly Setting[] = [SIGNAL_MAX_AGE_SETTING];

const KEEPING = 'the local strategy may have stopped: keeping the position';

/**
 * `file:<path>`: at every tick reads the file that a local strategy keeps rewriting (BUY, SELL,
 * NONE or the JSON signal; safeDecide validates it). The signal in the file stays in force for
 * as long as the file is fresh. A missing file, an empty one, or one last written more than
 * BRIDGE_SIGNAL_MAX_AGE_S (default 300) before the tick fails the tick, which touches no trade:
 * a strategy that stopped writing must not flatten the position it left.
 *
 * Writers must replace the file atomically (write a temporary file in the same folder, then
 * rename it over the path): the read is one read(2) of one open file, so it sees either the old
 * content or the new, never half of it. An empty file is refused for that reason: it is what a
 * reader sees in the middle of a non-atomic rewrite, so "nothing" must be written as NONE.
 *
 * Event-driven: the file's folder is watched, and each new version of the file (renamed into
 * place) ticks the bridge at once; an unchanged file changes nothing between ticks. The
 * schedule stays as a heartbeat that re-reads the file (and applies the staleness rule above).
 */
export function create(options: StrategyOptions): Strategy {
  const given = options.spec.slice(options.spec.indexOf(':') + 1).trim();
  if (given === '') throw new StrategyLoadError('BRIDGE_STRATEGY: file: needs the path of the signal file, e.g. file:/var/lib/my-strategy/signal.json');
  const file = path.resolve(given);
  const maxAgeMs = signalMaxAgeMs(options.settings);
  options.log.info({ file, maxAgeS: maxAgeMs / 1000 }, 'file strategy: reading the signal file at every tick, and ticking at once when it is replaced');
  const signals = createSignalEmitter();
  let watcher: SignalFileWatcher | undefined;

  return {
    name: 'file',
    onSignal: signals.on,
    async start() {
      watcher ??= watchSignalFile(file, { log: options.log, onNew: (seenAt) => signals.emit(seenAt) });
    },
    async close() {
      watcher?.close();
      watcher = undefined;
    },
    async decide(ctx) {
      let read;
      try {
        read = await readSignalFile(file, { maxBytes: MAX_FILE_BYTES });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`signal file ${file} does not exist: ${KEEPING}`);
        throw new Error(`cannot read signal file: ${(error as Error).message}`);
      }
      const ageMs = ctx.time.getTime() - read.mtimeMs;
      if (ageMs > maxAgeMs) {
        throw new Error(`signal file ${file} was last written ${(ageMs / 1000).toFixed(1)} s before the tick, more than BRIDGE_SIGNAL_MAX_AGE_S=${maxAgeMs / 1000}: ${KEEPING}`);
      }
      if (read.text.trim() === '') {
        throw new Error(`signal file ${file} is empty (half-written? replace it by rename; write NONE to mean nothing): keeping the position`);
      }
      return read.text;
    },
  };
}
