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
  const value = spec.integer ? (/^\d+$/.test(raw) ? Number(raw) : NaN) : Number(raw);
  const fits = Number.isFinite(value) && (spec.min === undefined || value >= spec.min) && (spec.max === undefined || value <= spec.max);
  if (!fits) throw new StrategyLoadError(`${name}: expected ${spec.expects}, got ${JSON.stringify(raw)}`);
  return value;
}
