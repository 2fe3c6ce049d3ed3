import { describe, expect, it } from 'vitest';
import { InvalidSignalError, parseSignal } from '../../src/strategy/signal.js';

describe('parseSignal', () => {
  it.each([
    ['BUY', 'BUY'],
    ['buy', 'BUY'],
    ['  Sell\n', 'SELL'],
    ['sElL', 'SELL'],
  ])('reads the word %j as %s', (text, side) => {
    expect(parseSignal(text)).toEqual({ side });
  });

  it.each(['NONE', 'none', 'None', 'null', '', '   ', '\n'])('reads %j as nothing', (text) => {
    expect(parseSignal(text)).toEqual({ side: null });
  });

  it.each([null, undefined])('reads %s as nothing', (value) => {
    expect(parseSignal(value)).toEqual({ side: null });
  });

  it('reads a signal object with its order details', () => {
    expect(parseSignal({ signal: 'BUY', volume: 2, takeProfit: 31_000, stopLoss: 29_000, comment: 'breakout' })).toEqual({
      side: 'BUY',
      volume: 2,
      takeProfit: 31_000,
      stopLoss: 29_000,
      comment: 'breakout',
    });
  });

  it('reads the word inside a signal object in any case, and NONE or null as nothing', () => {
    expect(parseSignal({ signal: 'sell' })).toEqual({ side: 'SELL' });
    expect(parseSignal({ signal: 'none' })).toEqual({ side: null });
    expect(parseSignal({ signal: null })).toEqual({ side: null });
  });

  it('reads a JSON signal given as text (a command\'s stdout, a file)', () => {
    expect(parseSignal('{"signal": "SELL", "volume": 0.5, "stopLoss": 31000}\n')).toEqual({ side: 'SELL', volume: 0.5, stopLoss: 31_000 });
  });

  it('leaves out the details that were not given', () => {
    expect(Object.keys(parseSignal({ signal: 'BUY' }))).toEqual(['side']);
  });

  it.each([
    ['an unknown word', 'HOLD', /"HOLD".*expected BUY, SELL, NONE or a JSON signal/],
    ['a word with extra characters', 'BUY!', /"BUY!"/],
    ['two words', 'BUY SELL', /not a signal/],
    ['broken JSON', '{"signal": "BUY"', /invalid JSON/],
    ['an unknown side in an object', { signal: 'LONG' }, /not a signal: signal/],
    ['an object without signal', { volume: 1 }, /not a signal: signal/],
    ['an object with an unknown field', { signal: 'BUY', side: 'BUY' }, /not a signal/],
    ['volume 0', { signal: 'BUY', volume: 0 }, /volume/],
    ['a negative volume', { signal: 'BUY', volume: -1 }, /volume/],
    ['a volume that is text', { signal: 'BUY', volume: '2' }, /volume/],
    ['an infinite volume', { signal: 'BUY', volume: Number.POSITIVE_INFINITY }, /volume/],
    ['a takeProfit that is not a number', { signal: 'BUY', takeProfit: Number.NaN }, /takeProfit/],
    ['a number', 42, /not a signal/],
    ['a boolean', true, /not a signal/],
    ['an array', ['BUY'], /not a signal/],
  ])('refuses %s', (_name, value, message) => {
    let error: unknown;
    try {
      parseSignal(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidSignalError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a volume above BRIDGE_MAX_VOLUME and accepts one at it', () => {
    expect(() => parseSignal({ signal: 'BUY', volume: 5 }, { maxVolume: 2 })).toThrow(/volume 5 is above BRIDGE_MAX_VOLUME 2/);
    expect(parseSignal({ signal: 'BUY', volume: 2 }, { maxVolume: 2 })).toEqual({ side: 'BUY', volume: 2 });
    expect(parseSignal('{"signal":"SELL","volume":3}', { maxVolume: 10 })).toEqual({ side: 'SELL', volume: 3 });
  });

  it('shortens a long invalid answer in its message', () => {
    const long = 'x'.repeat(500);
    expect(() => parseSignal(long)).toThrow(/x{80}…/);
  });
});
