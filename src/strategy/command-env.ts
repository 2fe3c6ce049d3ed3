import type { ContextPayload } from './context-payload.js';
import { StrategyLoadError } from './load-strategy.js';

/**
 * What a strategy command inherits from the bridge's environment: enough to find and run an
 * interpreter (PATH, HOME for ~/.local and pyenv shims, the locale, a virtualenv, conda or pyenv
 * selection, PYTHONPATH), and nothing else. ALGOGENE_API_KEY, BRIDGE_WEBHOOK_SECRET and the rest
 * never reach it.
 */
export const INHERITED_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'CONDA_DEFAULT_ENV',
  'PYENV_ROOT',
  'PYENV_VERSION',
  'PYTHONPATH',
  'PYTHONHOME',
  'PYTHONIOENCODING',
  'PYTHONUTF8',
] as const;

/** Names that may never be passed through BRIDGE_COMMAND_ENV: the bridge's own configuration and secrets. */
export function isForbiddenPassThrough(name: string): boolean {
  return /^(ALGOGENE_|BRIDGE_)/.test(name);
}

/** BRIDGE_COMMAND_ENV: the further variable names a strategy command (or stream) receives. */
export function passThroughNames(settings: Readonly<Record<string, string | undefined>>): string[] {
  const names = (settings.BRIDGE_COMMAND_ENV ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new StrategyLoadError(`BRIDGE_COMMAND_ENV: expected variable names separated by commas, got ${JSON.stringify(name)}`);
    if (isForbiddenPassThrough(name)) throw new StrategyLoadError(`BRIDGE_COMMAND_ENV: ${name} is the bridge's own configuration and never reaches a strategy command`);
  }
  return names;
}

/** The allowlisted part of the environment (and the `extra` names), as every strategy process receives it. */
export function inheritedEnv(inherited: Readonly<Record<string, string | undefined>>, extra: readonly string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...INHERITED_ENV, ...extra]) {
    if (isForbiddenPassThrough(name)) continue;
    const value = inherited[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * The environment of one run of a strategy command: the allowlist above and the `extra` names
 * (BRIDGE_COMMAND_ENV) taken from `inherited`, plus the tick's context:
 * SIGNAL_BRIDGE_CONTEXT (the JSON also written to stdin), _TIME, _BRIDGE_ID, _INSTRUMENT, _VOLUME,
 * and _TRACKED_TRADE_ID, _TRACKED_SIDE, _TRACKED_VOLUME (empty when no trade is tracked).
 */
export function commandEnv(context: ContextPayload, inherited: Readonly<Record<string, string | undefined>>, extra: readonly string[] = []): Record<string, string> {
  const env = inheritedEnv(inherited, extra);
  const t = context.tracked;
  return {
    ...env,
    SIGNAL_BRIDGE_CONTEXT: JSON.stringify(context),
    SIGNAL_BRIDGE_TIME: context.time,
    SIGNAL_BRIDGE_BRIDGE_ID: context.bridgeId,
    SIGNAL_BRIDGE_INSTRUMENT: context.instrument,
    SIGNAL_BRIDGE_VOLUME: String(context.volume),
    SIGNAL_BRIDGE_TRACKED_TRADE_ID: t?.tradeId ?? '',
    SIGNAL_BRIDGE_TRACKED_SIDE: t?.side ?? '',
    SIGNAL_BRIDGE_TRACKED_VOLUME: t ? String(t.volume) : '',
  };
}
