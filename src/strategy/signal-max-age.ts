import { numberSetting } from './number-setting.js';

/** Default of BRIDGE_SIGNAL_MAX_AGE_S: five minutes. */
export const DEFAULT_SIGNAL_MAX_AGE_S = 300;

/**
 * BRIDGE_SIGNAL_MAX_AGE_S in ms: how old a signal written by another process (a file, a webhook
 * call) may be at the tick and still count. Older means that process may have stopped.
 */
export function signalMaxAgeMs(settings: Readonly<Record<string, string | undefined>>): number {
  const seconds = numberSetting(settings, 'BRIDGE_SIGNAL_MAX_AGE_S', { fallback: DEFAULT_SIGNAL_MAX_AGE_S, min: Number.MIN_VALUE, expects: 'a number of seconds > 0' });
  return seconds * 1000;
}
