import { z } from 'zod';

/** Plain decimal notation: digits, an optional fraction, an optional minus. No hex, exponent, Infinity or padding. */
const DECIMAL = /^-?\d+(\.\d+)?$/;
const WHOLE = /^\d+$/;

export interface DecimalSpec {
  /** Whole numbers only (digits, no sign, no point). */
  readonly integer?: boolean;
  readonly min?: number;
  /** Exclusive lower bound: "> 0". */
  readonly above?: number;
  readonly max?: number;
}

/** The number `text` writes in plain decimal notation within the bounds, or undefined. */
export function parseDecimal(text: string, spec: DecimalSpec = {}): number | undefined {
  if (!(spec.integer ? WHOLE : DECIMAL).test(text)) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || (spec.integer && !Number.isSafeInteger(value))) return undefined;
  if (spec.min !== undefined && value < spec.min) return undefined;
  if (spec.above !== undefined && value <= spec.above) return undefined;
  if (spec.max !== undefined && value > spec.max) return undefined;
  return value;
}

/** A zod schema from a variable's text to its number: what every numeric setting uses. */
export function decimal(spec: DecimalSpec = {}) {
  return z.string().transform((text, ctx) => {
    const value = parseDecimal(text, spec);
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: 'not a plain decimal number in range' });
      return z.NEVER;
    }
    return value;
  });
}
