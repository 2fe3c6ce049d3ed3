import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/config/decimal.js';

describe('parseDecimal: plain decimal notation only', () => {
  it.each([
    ['1', {}, 1],
    ['0.25', {}, 0.25],
    ['-3', {}, -3],
    ['10000', { integer: true }, 10000],
    ['007', { integer: true }, 7],
  ] as const)('%j is %s', (text, spec, value) => {
    expect(parseDecimal(text, spec)).toBe(value);
  });

  it.each(['0x10', '1e3', '1E3', 'Infinity', '-Infinity', 'NaN', '+5', '.5', '5.', ' 5', '5 ', '1 000', '1_000', '0b101', '0o7', '', '--1', '1.2.3'])('refuses %j', (text) => {
    expect(parseDecimal(text)).toBeUndefined();
  });

  it('keeps to the bounds and to whole numbers when asked', () => {
    expect(parseDecimal('0', { above: 0 })).toBeUndefined();
    expect(parseDecimal('0.0001', { above: 0 })).toBe(0.0001);
    expect(parseDecimal('1.5', { integer: true })).toBeUndefined();
    expect(parseDecimal('-1', { integer: true })).toBeUndefined();
    expect(parseDecimal('65536', { integer: true, max: 65535 })).toBeUndefined();
    expect(parseDecimal('9007199254740993', { integer: true })).toBeUndefined();
  });
});
