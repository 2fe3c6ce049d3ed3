/** Live prices (a seeded random walk stepping with wall-clock time) and deterministic history bars. */
import type { InstrumentSpec } from './options.js';
import { hashString, hashUnit, mixSeed, mulberry32, type Rng } from './rng.js';
import { formatUtcSeconds } from './time.js';

export interface Quote {
  bid: number;
  ask: number;
}

export interface Bar {
  /** The bar's closing time, as ALGOGENE documents it. */
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  /** Closing bid, ask and mid. */
  b: number;
  a: number;
  m: number;
  v: number;
}

const MIN = 60_000;
/** ALGOGENE's documented intervals (except T, ticks, which the simulator does not have); volatility per bar. */
export const INTERVALS: Readonly<Record<string, { ms: number; vol: number }>> = Object.fromEntries(
  (
    [
      ['S', 1000], ['S5', 5000], ['S10', 10_000], ['S15', 15_000], ['S30', 30_000],
      ['M', MIN], ['M2', 2 * MIN], ['M5', 5 * MIN], ['M10', 10 * MIN], ['M15', 15 * MIN], ['M30', 30 * MIN],
      ['H', 60 * MIN], ['H2', 120 * MIN], ['H3', 180 * MIN], ['H4', 240 * MIN], ['H6', 360 * MIN], ['H12', 720 * MIN],
      ['D', 1440 * MIN],
    ] as const
  ).map(([k, ms]) => [k, { ms, vol: 0.02 * Math.sqrt(ms / (1440 * MIN)) }]),
);

/** Steps of the live walk kept for server-side take-profit/stop-loss checks. */
const PATH_LIMIT = 1_000_000;

interface Walk {
  spec: InstrumentSpec;
  rng: Rng;
  step: number;
  logMid: number;
  /** logMid of recent steps; `path[i]` is step `pathStart + i`. */
  path: number[];
  pathStart: number;
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
      const logMid = Math.log(spec.price);
      this.walks.set(spec.symbol, { spec, rng, step: 0, logMid, path: [logMid], pathStart: 0 });
    }
  }

  has(symbol: string): boolean {
    return this.walks.has(symbol);
  }

  spec(symbol: string): InstrumentSpec | undefined {
    return this.walks.get(symbol)?.spec;
  }

  symbols(): string[] {
    return [...this.walks.keys()];
  }

  /** The walk step that wall-clock `ms` falls in. */
  stepOf(ms: number): number {
    return Math.floor((ms - this.startMs) / this.stepMs);
  }

  /** Epoch ms at which a step begins. */
  stepStartMs(step: number): number {
    return this.startMs + step * this.stepMs;
  }

  /** Advances the walk to the step `nowMs` falls in; time never runs backwards for a walk. */
  quote(symbol: string, nowMs: number): Quote {
    const w = this.advance(symbol, nowMs);
    return this.toQuote(w.spec, w.logMid);
  }

  /**
   * The quote during an already reached step (for checks of take-profit and stop-loss along the path);
   * a step older than the kept path answers the oldest kept quote.
   */
  quoteAtStep(symbol: string, step: number): Quote {
    const w = this.walks.get(symbol)!;
    const i = Math.min(Math.max(step - w.pathStart, 0), w.path.length - 1);
    return this.toQuote(w.spec, w.path[i]!);
  }

  /** The step the walk has reached (after `quote` for now). */
  currentStep(symbol: string): number {
    return this.walks.get(symbol)!.step;
  }

  /** Test hook: the mid jumps to `mid` now; the walk goes on from there. */
  setMid(symbol: string, mid: number, nowMs: number): void {
    const w = this.advance(symbol, nowMs);
    w.logMid = Math.log(mid);
    w.path[w.path.length - 1] = w.logMid;
  }

  /**
   * `count` bars whose closing time is before `endMs`, oldest first (ALGOGENE: "timestamps less than this value").
   * Each close is a pure function of (seed, symbol, interval, bar index), so the same query always gives the same
   * bars and overlapping queries agree.
   */
  history(symbol: string, interval: string, count: number, endMs: number): Bar[] {
    const spec = this.walks.get(symbol)?.spec;
    const iv = INTERVALS[interval];
    if (!spec || !iv) throw new Error('bad history query');
    const vol = (iv.vol * spec.volatility) / 0.0003;
    const key = [this.seed, hashString(symbol), hashString(interval)];
    const close = (i: number) => spec.price * Math.exp(fractalNoise(key, i, vol));
    // Bar i spans [i, i + 1) intervals and closes at (i + 1) * ms, which must be strictly before endMs.
    const last = Math.ceil(endMs / iv.ms) - 2;
    const bars: Bar[] = [];
    const half = spec.spread / 2;
    for (let i = last - count + 1; i <= last; i++) {
      const o = round(close(i - 1), spec.decimals);
      const c = round(close(i), spec.decimals);
      const up = hashUnit(...key, 1, i) * vol * 0.5;
      const down = hashUnit(...key, 2, i) * vol * 0.5;
      bars.push({
        t: formatUtcSeconds((i + 1) * iv.ms),
        o,
        h: Math.max(o, c, round(Math.max(o, c) * (1 + up), spec.decimals)),
        l: Math.min(o, c, round(Math.min(o, c) * (1 - down), spec.decimals)),
        c,
        b: round(c - half, spec.decimals),
        a: round(c + half, spec.decimals),
        m: c,
        v: Math.round(100 + hashUnit(...key, 3, i) * 9900),
      });
    }
    return bars;
  }

  private advance(symbol: string, nowMs: number): Walk {
    const w = this.walks.get(symbol);
    if (!w) throw new Error(`unknown instrument ${symbol}`);
    const target = this.stepOf(nowMs);
    while (w.step < target) {
      w.logMid += w.spec.volatility * gaussian(w.rng);
      w.step++;
      w.path.push(w.logMid);
    }
    if (w.path.length > PATH_LIMIT) {
      const drop = w.path.length - PATH_LIMIT;
      w.path.splice(0, drop);
      w.pathStart += drop;
    }
    return w;
  }

  private toQuote(spec: InstrumentSpec, logMid: number): Quote {
    const { spread, decimals } = spec;
    const mid = Math.exp(logMid);
    const tick = 10 ** -decimals;
    const bid = Math.max(tick, round(mid - spread / 2, decimals));
    return { bid, ask: Math.max(bid, round(mid + spread / 2, decimals)) };
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
