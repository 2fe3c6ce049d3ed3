import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runWorker } from '../src/bridge/run-worker.js';
import { ALTERNATE, benchRuntime } from './bench-runtime.js';
import { startSimProcess } from './start-sim-process.js';
import { round, withPeakRss } from './stats.js';

export interface FanOutResult {
  bridges: number;
  wallMs: number;
  acknowledged: number;
  peakRssMb: number;
}

/**
 * One tick over N bridges in one process: from the scheduled second until every bridge's
 * open_order is acknowledged. Each bridge holds a trade from a first tick, so the measured tick
 * closes one and opens one per bridge, the steady state.
 */
export async function measureFanOut(bridges: number, delayMs: number): Promise<FanOutResult> {
  const sim = await startSimProcess(delayMs);
  try {
    const { value, peakRssMb } = await withPeakRss(async () => {
      // Five seconds apart, so that every bridge has finished its first tick before the measured one.
      const { runtime, log } = await benchRuntime({ url: sim.url, bridges, schedule: '*/5 * * * * *' });
      try {
        // Only the second tick counts: the first has nothing to close.
        let lastAck = 0;
        let scheduled = Number.NaN;
        let acknowledged = 0;
        await runWorker({
          bridges: runtime.bridges,
          concurrency: runtime.config.concurrency,
          log,
          maxTicks: 2,
          signal: new AbortController().signal,
          onTick: ({ scheduledAt, result }) => {
            if (result.closed.length === 0) return;
            scheduled = scheduledAt.getTime();
            if (result.opened) acknowledged += 1;
            lastAck = Math.max(lastAck, Date.now());
          },
        });
        return { wallMs: lastAck - scheduled, acknowledged };
      } finally {
        await runtime.close();
      }
    });
    return { bridges, wallMs: round(value.wallMs), acknowledged: value.acknowledged, peakRssMb };
  } finally {
    await sim.close();
  }
}

export interface CopiesResult {
  copies: number;
  wallMs: number;
  succeeded: number;
  sumPeakRssMb: number;
}

const CHILD = fileURLToPath(new URL('./child-rss.js', import.meta.url));

/**
 * The alternative to one process: N copies of a one-bridge process (the published loop's way
 * of running N strategies), each doing one tick (`once`) at the same moment.
 */
export async function measureCopies(copies: number, delayMs: number): Promise<CopiesResult> {
  const sim = await startSimProcess(delayMs);
  try {
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: copies }, (_, i) =>
        new Promise<{ ok: boolean; maxRssKb: number }>((resolve) => {
          const child = spawn(process.execPath, [CHILD, 'once'], {
            env: {
              PATH: process.env.PATH ?? '',
              ALGOGENE_BASE_URL: sim.url,
              ALGOGENE_USER: 'demo',
              ALGOGENE_API_KEY: 'demo-key',
              ALGOGENE_ACCOUNT_ID: `copy-${i}`,
              BRIDGE_STRATEGY: ALTERNATE,
              BRIDGE_STORE: 'memory://',
              LOG_LEVEL: 'silent',
            },
            stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
          });
          let report = '';
          child.stdio[3]?.on('data', (chunk: Buffer) => (report += chunk.toString()));
          child.on('close', (code) => resolve({ ok: code === 0, maxRssKb: Number(report) || 0 }));
        }),
      ),
    );
    return {
      copies,
      wallMs: round(performance.now() - started),
      succeeded: results.filter((r) => r.ok).length,
      sumPeakRssMb: round(results.reduce((a, r) => a + r.maxRssKb, 0) / 1024),
    };
  } finally {
    await sim.close();
  }
}
