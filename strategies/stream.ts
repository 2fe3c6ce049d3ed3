import { inheritedEnv, passThroughNames } from '../src/strategy/command-env.js';
import { StrategyLoadError } from '../src/strategy/load-strategy.js';
import { numberSetting } from '../src/strategy/number-setting.js';
import { InvalidSignalError, parseSignal, type Signal } from '../src/strategy/signal.js';
import { createSignalEmitter } from '../src/strategy/signal-emitter.js';
import { superviseProcess } from '../src/strategy/supervise-process.js';
import type { Strategy, StrategyContext, StrategyOptions } from '../src/strategy/types.js';
import { decimal } from '../src/config/decimal.js';
import type { Setting } from '../src/config/setting.js';
import { settings as commandSettings } from './command.js';

/** A signal is a word or a small JSON object: a longer line is not one. */
export const MAX_LINE_BYTES = 64 * 1024;

export const settings: readonly Setting[] = [
  { name: 'BRIDGE_STREAM_RESTART_MS', schema: decimal({ integer: true, min: 10, max: 600_000 }), expects: 'a whole number of ms, 10 to 600000', default: '1000', meaning: 'how long after the process exits it is started again' },
  // The kill grace and the pass-through variables, as for command:.
  ...commandSettings,
];

interface Line {
  /** The line as printed; safeDecide validates it again at the tick. */
  readonly text: string;
  readonly signal: Signal;
  readonly arrivedAt: number;
  /** Which start of the process printed it. */
  readonly run: number;
}

/**
 * `stream:<command line>`: a long-running process that the bridge starts (through the shell, in
 * a process group of its own, tied to the bridge so that it dies with it even on kill -9) and
 * keeps running. It prints one signal per line whenever it decides, in the command adapter's
 * schema (BUY, SELL, NONE, or the JSON signal); each valid line ticks the bridge at once. A line
 * that is not a signal is logged and changes nothing; a blank line is ignored (print NONE to
 * mean nothing). Its stderr is logged; its stdin stays open and silent until the bridge stops.
 *
 * Supervised: when it exits it is restarted after BRIDGE_STREAM_RESTART_MS (default 1000),
 * doubling after each quick exit up to a minute. What a tick acts on: the tick that a line
 * started acts on that line; a scheduled (heartbeat) tick acts on the latest line only while the
 * process that printed it still runs. Before the first line, or while the process is down, the
 * bridge has no opinion: with no trade it answers nothing, with a trade it keeps it (the tick
 * fails and says why). Event-driven: the bridge holds (a repeated line keeps the trade).
 *
 * Settings: BRIDGE_STREAM_RESTART_MS, BRIDGE_COMMAND_KILL_GRACE_MS (default 2000),
 * BRIDGE_COMMAND_ENV (as for command:).
 */
export function create(options: StrategyOptions): Strategy {
  const commandLine = options.spec.slice(options.spec.indexOf(':') + 1).trim();
  if (commandLine === '') {
    throw new StrategyLoadError('BRIDGE_STRATEGY: stream: needs a command line, e.g. stream:python3 my_strategy.py --stream');
  }
  const graceMs = numberSetting(options.settings, 'BRIDGE_COMMAND_KILL_GRACE_MS', { fallback: 2000, integer: true, min: 0, max: 60_000, expects: 'a whole number of ms, 0 to 60000' });
  const restartMs = numberSetting(options.settings, 'BRIDGE_STREAM_RESTART_MS', { fallback: 1000, integer: true, min: 10, max: 600_000, expects: 'a whole number of ms, 10 to 600000' });
  const maxVolume = optionalPositive(options.settings.BRIDGE_MAX_VOLUME);
  const env = inheritedEnv(options.env ?? {}, passThroughNames(options.settings));
  const { log } = options;
  const signals = createSignalEmitter();
  let run = 0;
  let latest: Line | undefined;

  const supervised = superviseProcess({
    commandLine,
    env,
    log,
    graceMs,
    restartMs,
    maxRestartMs: 60_000,
    maxLineBytes: MAX_LINE_BYTES,
    onLine(text, arrivedAt) {
      if (text.trim() === '') return;
      let signal: Signal;
      try {
        signal = parseSignal(text, { maxVolume });
      } catch (error) {
        if (!(error instanceof InvalidSignalError)) throw error;
        log.warn({ reason: error.message }, 'stream strategy: a line that is not a signal was ignored');
        return;
      }
      latest = { text, signal, arrivedAt, run };
      log.info({ signal: signal.side ?? 'NONE', volume: signal.volume }, 'stream strategy: signal received');
      signals.emit(arrivedAt);
    },
    onExit() {
      run += 1;
    },
  });

  function noOpinion(ctx: StrategyContext, why: string): null {
    if (ctx.tracked) throw new Error(`${why}: keeping trade ${ctx.tracked.tradeId} (print NONE to close it)`);
    ctx.log.info(`${why}: answering nothing`);
    return null;
  }

  return {
    name: 'stream',
    decide(ctx) {
      if (!latest) return noOpinion(ctx, 'the stream strategy has printed no signal yet');
      // The tick that this very line started acts on it, even if the process ended meanwhile.
      if (ctx.time.getTime() === latest.arrivedAt) return latest.text;
      if (latest.run !== run || !supervised.running()) {
        return noOpinion(ctx, `the stream strategy's process that printed the latest signal (${latest.signal.side ?? 'NONE'}) is no longer running`);
      }
      return latest.text;
    },
    onSignal: signals.on,
    async start() {
      supervised.start();
    },
    async close() {
      await supervised.stop();
    },
  };
}

function optionalPositive(raw: string | undefined): number | undefined {
  const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
