import { StrategyLoadError } from '../src/strategy/load-strategy.js';
import { numberSetting } from '../src/strategy/number-setting.js';
import { z } from 'zod';
import { decimal } from '../src/config/decimal.js';
import type { Setting } from '../src/config/setting.js';
import type { Strategy, StrategyOptions } from '../src/strategy/types.js';

/** More bars than this per tick is not a moving average any API serves. */
const MAX_PERIOD = 1000;

const PERIOD = `a whole number of bars, 1 to ${MAX_PERIOD}`;
export const settings: readonly Setting[] = [
  { name: 'BRIDGE_SMA_FAST', schema: decimal({ integer: true, min: 1, max: MAX_PERIOD }), expects: PERIOD, default: '10', meaning: 'bars of the fast average (fewer than BRIDGE_SMA_SLOW)' },
  { name: 'BRIDGE_SMA_SLOW', schema: decimal({ integer: true, min: 1, max: MAX_PERIOD }), expects: PERIOD, default: '30', meaning: 'bars of the slow average' },
  { name: 'BRIDGE_SMA_INTERVAL', schema: z.string().regex(/^[A-Za-z0-9]{1,8}$/), expects: 'a /history_price interval such as D, H or M', default: 'D', meaning: 'the bar interval asked of /history_price' },
];

/**
 * Moving-average crossover on the bridge's instrument, from ctx.market.history bars: BUY while
 * the fast simple moving average of closes is above the slow one, SELL while it is below,
 * nothing when they are equal or there are fewer bars than the slow period.
 *
 * It answers the regime, not the cross: at every tick it says which side of the slow average
 * the fast one is on. With BRIDGE_POLICY=hold that keeps one trade open from one cross to the
 * next (the classic crossover system); with reopen the trade is closed and reopened every tick.
 * The bars are those that closed before the tick's moment (history_price's timestamp; `t` is a
 * bar's closing time), so every bar is complete and a tick's answer does not change if it is asked again.
 *
 * Settings: BRIDGE_SMA_FAST (default 10), BRIDGE_SMA_SLOW (default 30), whole numbers with
 * fast < slow; BRIDGE_SMA_INTERVAL (default D; the /history_price interval, e.g. D, H, M).
 */
export function create(options: StrategyOptions): Strategy {
  const { settings } = options;
  const period = { integer: true, min: 1, max: MAX_PERIOD, expects: `a whole number of bars, 1 to ${MAX_PERIOD}` };
  const fast = numberSetting(settings, 'BRIDGE_SMA_FAST', { ...period, fallback: 10 });
  const slow = numberSetting(settings, 'BRIDGE_SMA_SLOW', { ...period, fallback: 30 });
  if (fast >= slow) throw new StrategyLoadError(`BRIDGE_SMA_FAST: expected fewer bars than BRIDGE_SMA_SLOW, got ${fast} and ${slow}`);
  const interval = settings.BRIDGE_SMA_INTERVAL?.trim() || 'D';
  if (!/^[A-Za-z0-9]{1,8}$/.test(interval)) throw new StrategyLoadError(`BRIDGE_SMA_INTERVAL: expected a /history_price interval such as D, H or M, got ${JSON.stringify(interval)}`);

  return {
    name: 'sma-cross',
    async decide(ctx) {
      const bars = await ctx.market.history({ count: slow, interval, before: ctx.time });
      // Oldest first, whatever order the server chose (its order is undocumented).
      const closes = [...bars].sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0)).map((bar) => bar.c);
      if (closes.length < slow) {
        ctx.log.info({ bars: closes.length, needed: slow, interval }, 'sma-cross: too few bars: answering nothing');
        return null;
      }
      const fastSma = mean(closes.slice(-fast));
      const slowSma = mean(closes.slice(-slow));
      ctx.log.debug({ fast, slow, interval, fastSma, slowSma, close: closes[closes.length - 1] }, 'sma-cross');
      if (fastSma > slowSma) return 'BUY';
      if (fastSma < slowSma) return 'SELL';
      return null;
    },
  };
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
