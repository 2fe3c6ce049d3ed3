/** Shared by the adapter tests: a tick context, strategy options with a captured log, process checks. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Bar, MarketData, StrategyContext, StrategyOptions, TrackedTradeView } from '../../src/strategy/types.js';
import { captureLog, type CapturedLog } from '../helpers/capture-log.js';

export type TickContext = Omit<StrategyContext, 'signal'>;

export const NO_MARKET: MarketData = {
  history: async () => [],
};

export const TRACKED: TrackedTradeView = { tradeId: '746805590705', side: 'BUY', volume: 1, instrument: 'BTCUSD', openedAt: '2024-05-01T12:00:00.000Z' };

/** A tick's context as run-tick builds it; `logs` captures what the strategy logs. */
export function tickContext(logs: CapturedLog, overrides: Partial<TickContext> = {}): TickContext {
  return {
    time: new Date(),
    bridgeId: 'b1',
    instrument: 'BTCUSD',
    volume: 1,
    tracked: null,
    log: logs.log.child({ module: 'strategy' }),
    market: NO_MARKET,
    ...overrides,
  };
}

/** StrategyOptions as loadStrategy passes them, with a captured log. */
export function strategyOptions(spec: string, settings: Record<string, string> = {}, extra: Partial<StrategyOptions> = {}): StrategyOptions & { logs: CapturedLog } {
  const logs = captureLog();
  // The test process's environment stands in for the one the runtime passes (PATH finds python3).
  return { spec, settings, env: process.env, log: logs.log.child({ module: 'strategy' }), logs, ...extra };
}

/** True when no process `pid` runs any more (a zombie waiting for a parent that is not us counts as gone). */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Waits (bounded) until `pid` is gone; the outcome is asserted, not the time it took. */
export async function waitGone(pid: number, boundMs = 10_000): Promise<boolean> {
  const end = Date.now() + boundMs;
  while (Date.now() < end) {
    if (isGone(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return isGone(pid);
}

/** Waits (bounded) for a file to exist, then returns the number it holds. */
export async function readPid(file: string, boundMs = 10_000): Promise<number> {
  const end = Date.now() + boundMs;
  while (Date.now() < end) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8').trim();
      if (/^\d+$/.test(text)) return Number(text);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no pid in ${file}`);
}

const dirs: string[] = [];

export function tempDir(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sb-strategy-${label}-`));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Daily bars whose closes are `closes`, oldest first. */
export function barsOf(closes: readonly number[]): Bar[] {
  const start = Date.UTC(2024, 0, 1);
  return closes.map((c, i) => ({ t: new Date(start + i * 86_400_000).toISOString().replace('T', ' ').slice(0, 19), o: c, h: c, l: c, c, v: 0 }));
}

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const PY_EXAMPLE = path.join(ROOT, 'examples/python/sma_signal.py');
export const PY_PRICES = path.join(ROOT, 'examples/python/prices.csv');
