/** Live prices (a seeded random walk stepping with wall-clock time) and deterministic history bars. */
import type { InstrumentSpec } from './options.js';
import { hashString, hashUnit, mixSeed, mulberry32, type Rng } from './rng.js';
import { formatUtcSeconds } from './time.js';

export interface Quote {
  bid: number;
  ask: number;
}

export interface Bar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

export const INTERVALS: Readonly<Record<string, { ms: number; vol: number }>> = {
  // Per-bar log-volatility for an instrument of volatility 0.0003; others scale linearly.
  D: { ms: 86_400_000, vol: 0.02 },
  H: { ms: 3_600_000, vol: 0.004 },
  M: { ms: 60_000, vol: 0.0006 },
};

interface Walk {
  spec: InstrumentSpec;
  rng: Rng;
  step: number;
  logMid: number;
}

const round = (x: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
};

export class PriceFeed {
  private readonly walks = new Map<string, Walk>();

  constructor(
    instruments: readonly InstrumentSpec[],
    private readonly seed: number,
    private readonly stepMs: number,
    private readonly startMs: number,
  ) {
    for (const spec of instruments) {
      // One stream per instrument, so adding an instrument does not change the others' paths.
      const rng = mulberry32(mixSeed(seed, hashString(spec.symbol)));
      this.walks.set(spec.symbol, { spec, rng, step: 0, logMid: Math.log(spec.price) });
    }
  }

  has(symbol: string): boolean {
    return this.walks.has(symbol);
  }

  spec(symbol: string): InstrumentSpec | undefined {
    return this.walks.get(symbol)?.spec;
  }

  /** Advances the walk to the step `nowMs` falls in; time never runs backwards for a walk. */
  quote(symbol: string, nowMs: number): Quote {
    const w = this.walks.get(symbol);
    if (!w) throw new Error(`unknown instrument ${symbol}`);
    const target = Math.floor((nowMs - this.startMs) / this.stepMs);
    while (w.step < target) {
      w.logMid += w.spec.volatility * gaussian(w.rng);
      w.step++;
    }
    const { spread, decimals } = w.spec;
    const mid = Math.exp(w.logMid);
    const tick = 10 ** -decimals;
    const bid = Math.max(tick, round(mid - spread / 2, decimals));
    return { bid, ask: Math.max(bid, round(mid + spread / 2, decimals)) };
  }

  /**
   * `count` bars ending with the bar that contains `endMs`, oldest first. Each close is a pure function of
   * (seed, symbol, interval, bar index), so the same query always gives the same bars and overlapping queries agree.
   */
  history(symbol: string, interval: string, count: number, endMs: number): Bar[] {
    const spec = this.walks.get(symbol)?.spec;
    const iv = INTERVALS[interval];
    if (!spec || !iv) throw new Error('bad history query');
    const vol = (iv.vol * spec.volatility) / 0.0003;
    const key = [this.seed, hashString(symbol), hashString(interval)];
    const close = (i: number) => spec.price * Math.exp(fractalNoise(key, i, vol));
    const last = Math.floor(endMs / iv.ms);
    const bars: Bar[] = [];
    for (let i = last - count + 1; i <= last; i++) {
      const o = round(close(i - 1), spec.decimals);
      const c = round(close(i), spec.decimals);
      const up = hashUnit(...key, 1, i) * vol * 0.5;
      const down = hashUnit(...key, 2, i) * vol * 0.5;
      bars.push({
        t: formatUtcSeconds(i * iv.ms),
        o,
        h: Math.max(o, c, round(Math.max(o, c) * (1 + up), spec.decimals)),
        l: Math.min(o, c, round(Math.min(o, c) * (1 - down), spec.decimals)),
        c,
        v: Math.round(100 + hashUnit(...key, 3, i) * 9900),
      });
    }
    return bars;
  }
}

/** Standard normal draw (Box-Muller); 1 - u keeps log away from 0. */
function gaussian(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Value noise summed over several periods: looks like a random walk over a few hundred bars but needs no state,
 * which is what lets any bar be computed on its own.
 */
function fractalNoise(key: number[], i: number, vol: number): number {
  let sum = 0;
  for (const period of [256, 64, 16, 4, 1]) {
    const x = i / period;
    const n0 = Math.floor(x);
    const f = x - n0;
    const s = f * f * (3 - 2 * f);
    const g0 = hashUnit(...key, 0, period, n0) * 2 - 1;
    const g1 = hashUnit(...key, 0, period, n0 + 1) * 2 - 1;
    sum += (g0 + (g1 - g0) * s) * vol * Math.sqrt(period);
  }
  return sum;
}
