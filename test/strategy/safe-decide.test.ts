import { describe, expect, it } from 'vitest';
import { safeDecide } from '../../src/strategy/safe-decide.js';
import { StrategyError } from '../../src/strategy/strategy-error.js';
import type { Strategy, StrategyContext } from '../../src/strategy/types.js';
import { captureLog } from '../helpers/capture-log.js';

function context(): Omit<StrategyContext, 'signal'> {
  return {
    time: new Date('2030-01-01T12:00:00.000Z'),
    bridgeId: 'b1',
    instrument: 'BTCUSD',
    volume: 1,
    tracked: null,
    log: captureLog().log,
    market: { history: async () => [] },
  };
}

function strategy(decide: Strategy['decide']): Strategy {
  return { name: 'under-test', decide };
}

async function failure(s: Strategy, options = { timeoutMs: 50 }): Promise<StrategyError> {
  const error = await safeDecide(s, context(), options).then(
    (signal) => {
      throw new Error(`expected a StrategyError, got ${JSON.stringify(signal)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StrategyError);
  return error as StrategyError;
}

describe('safeDecide', () => {
  it('passes a valid answer through, sync or async', async () => {
    expect(await safeDecide(strategy(() => 'BUY'), context(), { timeoutMs: 50 })).toEqual({ side: 'BUY' });
    expect(await safeDecide(strategy(async () => ({ signal: 'SELL', volume: 2 })), context(), { timeoutMs: 50 })).toEqual({ side: 'SELL', volume: 2 });
    expect(await safeDecide(strategy(() => null), context(), { timeoutMs: 50 })).toEqual({ side: null });
  });

  it('gives the strategy the tick context and an abort signal', async () => {
    let seen: StrategyContext | undefined;
    await safeDecide(strategy((ctx) => ((seen = ctx), null)), context(), { timeoutMs: 50 });
    expect(seen).toMatchObject({ bridgeId: 'b1', instrument: 'BTCUSD', volume: 1, tracked: null });
    expect(seen?.signal).toBeInstanceOf(AbortSignal);
    expect(seen?.signal.aborted).toBe(false);
  });

  it('a strategy that throws: reason threw, with its message', async () => {
    const error = await failure(strategy(() => {
      throw new Error('model file missing');
    }));
    expect(error.reason).toBe('threw');
    expect(error.message).toBe('strategy under-test threw: model file missing');
  });

  it('a strategy that rejects, even with a non-Error: reason threw', async () => {
    const error = await failure(strategy(() => Promise.reject('just a string')));
    expect(error.reason).toBe('threw');
    expect(error.message).toMatch(/just a string/);
  });

  it.each([
    ['a word that is not a signal', 'MAYBE'],
    ['a number', 7],
    ['an object of the wrong shape', { side: 'BUY' }],
    ['a zero volume', { signal: 'BUY', volume: 0 }],
  ])('a strategy that answers %s: reason invalid', async (_name, answer) => {
    const error = await failure(strategy(() => answer as never));
    expect(error.reason).toBe('invalid');
    expect(error.message).toMatch(/^strategy under-test answered not a signal/);
  });

  it('a volume above maxVolume: reason invalid', async () => {
    const error = await safeDecide(strategy(() => ({ signal: 'BUY', volume: 9 })), context(), { timeoutMs: 50, maxVolume: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StrategyError', reason: 'invalid' });
  });

  it('a strategy that never answers: reason timeout, and its abort signal fires', async () => {
    let signal: AbortSignal | undefined;
    const error = await failure(strategy((ctx) => {
      signal = ctx.signal;
      return new Promise(() => {});
    }));
    expect(error.reason).toBe('timeout');
    expect(error.message).toBe('strategy under-test did not answer within 50 ms');
    expect(signal?.aborted).toBe(true);
  });

  it('a strategy that answers after its timeout is still a timeout', async () => {
    const error = await failure(strategy(() => new Promise((resolve) => setTimeout(() => resolve('BUY'), 500))));
    expect(error.reason).toBe('timeout');
  });
});
