import { parseDecimal } from '../config/decimal.js';
import { StrategyLoadError } from './load-strategy.js';

export interface NumberSettingSpec {
  readonly fallback: number;
  /** Whole numbers only (digits, no sign, no decimal point). */
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** What the variable expects, for the message: "a whole number > 0". */
  readonly expects: string;
}

/**
 * One numeric strategy setting (BRIDGE_*), read from StrategyOptions.settings: blank means the
 * fallback, anything else must be a number in range. A bad value is a StrategyLoadError naming
 * the variable, which the CLI reports as a configuration error (exit 2).
 */
export function numberSetting(settings: Readonly<Record<string, string | undefined>>, name: string, spec: NumberSettingSpec): number {
  const raw = settings[name]?.trim();
  if (raw === undefined || raw === '') return spec.fallback;
  // Plain decimal notation only, like every number in config: no hex, exponent or Infinity.
  const value = parseDecimal(raw, { integer: spec.integer, min: spec.min, max: spec.max });
  if (value === undefined) throw new StrategyLoadError(`${name}: expected ${spec.expects}, got ${JSON.stringify(raw)}`);
  return value;
}
