import { runWorker } from '../src/bridge/run-worker.js';
import { benchRuntime } from './bench-runtime.js';
import { startSimProcess } from './start-sim-process.js';
import { percentile, round } from './stats.js';

export interface LatenessResult {
  ticks: number;
  bridges: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * How late each tick starts against its scheduled second, with a seconds schedule while the
 * process is busy with `bridges` bridges trading every tick.
 */
export async function measureLateness(ticks: number, bridges: number, delayMs: number): Promise<LatenessResult> {
  const sim = await startSimProcess(delayMs);
  const { runtime, log } = await benchRuntime({ url: sim.url, bridges, schedule: '* * * * * *' });
  const firstStart = new Map<number, number>();
  try {
    await runWorker({
      bridges: runtime.bridges,
      concurrency: runtime.config.concurrency,
      log,
      maxTicks: ticks,
      signal: new AbortController().signal,
      onTick: ({ scheduledAt, startedAt }) => {
        const slot = scheduledAt.getTime();
        firstStart.set(slot, Math.min(firstStart.get(slot) ?? Number.POSITIVE_INFINITY, startedAt));
      },
    });
  } finally {
    await runtime.close();
    await sim.close();
  }
  const lateness = [...firstStart].map(([slot, start]) => start - slot);
  return {
    ticks: lateness.length,
    bridges,
    p50Ms: round(percentile(lateness, 50)),
    p99Ms: round(percentile(lateness, 99)),
    maxMs: round(Math.max(...lateness)),
  };
}
