import { commandEnv, passThroughNames } from '../src/strategy/command-env.js';
import { contextPayload } from '../src/strategy/context-payload.js';
import { StrategyLoadError } from '../src/strategy/load-strategy.js';
import { numberSetting } from '../src/strategy/number-setting.js';
import { CommandFailedError, runCommand, StopReason } from '../src/strategy/run-command.js';
import { z } from 'zod';
import { decimal } from '../src/config/decimal.js';
import type { Setting } from '../src/config/setting.js';
import type { Strategy, StrategyOptions } from '../src/strategy/types.js';

export const settings: readonly Setting[] = [
  { name: 'BRIDGE_COMMAND_KILL_GRACE_MS', schema: decimal({ integer: true, min: 0, max: 60_000 }), expects: 'a whole number of ms, 0 to 60000', default: '2000', meaning: 'how long the command may take to stop after SIGTERM before SIGKILL' },
  { name: 'BRIDGE_COMMAND_ENV', schema: z.string().regex(/^\s*[A-Za-z_][A-Za-z0-9_]*\s*(,\s*[A-Za-z_][A-Za-z0-9_]*\s*)*$/), expects: 'variable names separated by commas', optional: true, meaning: 'further environment variables passed to the command (never ALGOGENE_*/BRIDGE_*)' },
];

/** A signal is a word or a small JSON object: more output than this is not one. */
export const MAX_OUTPUT_BYTES = 64 * 1024;
const MAX_LOGGED_STDERR = 2000;

/**
 * `command:<command line>`: runs the command through the shell at every tick, in a process
 * group of its own, with the tick's context as JSON on stdin and in SIGNAL_BRIDGE_* variables,
 * and answers what it prints on stdout (BUY, SELL, NONE, nothing, or the JSON signal; safeDecide
 * validates it). A non-zero exit, more than 64 KB of output, or running past
 * BRIDGE_STRATEGY_TIMEOUT_MS fails the tick; the command and everything it started are stopped
 * (SIGTERM, then SIGKILL after BRIDGE_COMMAND_KILL_GRACE_MS). Its stderr is logged, never read
 * as the signal.
 *
 * Settings: BRIDGE_COMMAND_KILL_GRACE_MS (default 2000), BRIDGE_COMMAND_ENV (comma-separated
 * names of further environment variables to pass, e.g. R_HOME,JAVA_HOME; never ALGOGENE_* or
 * BRIDGE_*).
 */
export function create(options: StrategyOptions): Strategy {
  const commandLine = options.spec.slice(options.spec.indexOf(':') + 1).trim();
  if (commandLine === '') {
    throw new StrategyLoadError('BRIDGE_STRATEGY: command: needs a command line, e.g. command:python3 my_strategy.py');
  }
  const killGraceMs = numberSetting(options.settings, 'BRIDGE_COMMAND_KILL_GRACE_MS', { fallback: 2000, integer: true, min: 0, max: 60_000, expects: 'a whole number of ms, 0 to 60000' });
  const extra = passThroughNames(options.settings);
  // The runtime passes the process environment in options.env; only the allowlist is passed on.
  const inherited = options.env ?? {};
  // SIGTERM during a command ends the command now, not when the strategy timeout runs out.
  const stopping = new AbortController();
  const onStop = () => stopping.abort(new StopReason('the bridge is stopping: the command was stopped'));
  if (options.stop?.aborted) onStop();
  else options.stop?.addEventListener('abort', onStop, { once: true });

  return {
    name: 'command',
    async decide(ctx) {
      const context = contextPayload(ctx);
      try {
        const { stdout, stderr } = await runCommand(commandLine, {
          input: `${JSON.stringify(context)}\n`,
          env: commandEnv(context, inherited, extra),
          signal: AbortSignal.any([ctx.signal, stopping.signal]),
          maxOutputBytes: MAX_OUTPUT_BYTES,
          killGraceMs,
        });
        if (stderr.trim() !== '') ctx.log.info({ stderr: clip(stderr) }, 'strategy command wrote to stderr');
        return stdout;
      } catch (error) {
        if (error instanceof CommandFailedError && error.stderr.trim() !== '') ctx.log.warn({ stderr: clip(error.stderr) }, 'strategy command failed; its stderr');
        throw error;
      }
    },
  };
}

function clip(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > MAX_LOGGED_STDERR ? `${trimmed.slice(0, MAX_LOGGED_STDERR)}…` : trimmed;
}
