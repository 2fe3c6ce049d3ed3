import { decimal } from '../config/decimal.js';
import type { Setting } from '../config/setting.js';
import { numberSetting } from './number-setting.js';

/** Default of BRIDGE_SIGNAL_MAX_AGE_S: five minutes. */
export const DEFAULT_SIGNAL_MAX_AGE_S = 300;

/** The declaration that file: and webhook share. */
export const SIGNAL_MAX_AGE_SETTING: Setting = {
  name: 'BRIDGE_SIGNAL_MAX_AGE_S',
  schema: decimal({ above: 0 }),
  expects: 'a number of seconds > 0',
  default: String(DEFAULT_SIGNAL_MAX_AGE_S),
  meaning: 'a signal older than this many seconds no longer counts (the position is kept)',
};

/**
 * BRIDGE_SIGNAL_MAX_AGE_S in ms: how old a signal written by another process (a file, a webhook
 * call) may be at the tick and still count. Older means that process may have stopped.
 */
export function signalMaxAgeMs(settings: Readonly<Record<string, string | undefined>>): number {
  const seconds = numberSetting(settings, 'BRIDGE_SIGNAL_MAX_AGE_S', { fallback: DEFAULT_SIGNAL_MAX_AGE_S, min: Number.MIN_VALUE, expects: 'a number of seconds > 0' });
  return seconds * 1000;
}
