import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LeaseLostError } from '../src/bridge/lease-lost-error.js';
import { runWorker } from '../src/bridge/run-worker.js';
import { benchRuntime, type BenchStore } from './bench-runtime.js';
import { startSimProcess } from './start-sim-process.js';
import { round, withPeakRss } from './stats.js';

export interface ScaleResult {
  bridges: number;
  store: BenchStore;
  concurrency: number;
  /** Moments measured (the first, which has nothing to close, excluded). */
  moments: number;
  /** Per measured moment: from the scheduled moment to the last bridge's acknowledged order. */
  wallMs: number[];
  /** What the concurrency and the delay allow: ceil(N / concurrency) rounds of a close and an open. */
  floorMs: number;
  /** Orders acknowledged per measured moment (N expected). */
  acknowledged: number[];
  peakRssMb: number;
  /** Moments that ran late by 500 ms or more, and moments skipped (errors). */
  lateMoments: number;
  skippedMoments: number;
  maxLateMs: number;
  leasesLost: number;
  failedTicks: number;
  startupMs: number;
}

/**
 * N bridges in one process on a schedule every `everyS` seconds, each closing one trade and
 * opening one at every moment (the steady state), leases held as `run` holds them, over
 * `moments` consecutive moments after the first.
 */
export async function measureScale(options: { bridges: number; delayMs: number; moments: number; everyS: number; concurrency: number; store?: BenchStore }): Promise<ScaleResult> {
  const { bridges, delayMs, moments, everyS, concurrency } = options;
  const store = options.store ?? 'memory';
  const sim = await startSimProcess(delayMs);
  try {
    const { value, peakRssMb } = await withPeakRss(async () => {
      const started = performance.now();
      const { runtime, log, cleanUp } = await benchRuntime({ url: sim.url, bridges, schedule: `*/${everyS} * * * * *`, concurrency, store });
      const startupMs = performance.now() - started;
      const lastAck = new Map<number, number>();
      const acks = new Map<number, number>();
      let first: number | undefined;
      let lateMoments = 0;
      let skippedMoments = 0;
      let maxLateMs = 0;
      let leasesLost = 0;
      let failedTicks = 0;
      try {
        await runWorker({
          bridges: runtime.bridges,
          concurrency,
          log,
          maxTicks: moments + 1,
          signal: new AbortController().signal,
          onMoment: ({ scheduledAt, lateMs, skipped }) => {
            first ??= scheduledAt.getTime();
            if (lateMs >= 500) lateMoments += 1;
            maxLateMs = Math.max(maxLateMs, lateMs);
            skippedMoments += skipped.length;
          },
          onTick: ({ scheduledAt, result }) => {
            if (result.error instanceof LeaseLostError) leasesLost += 1;
            if (!result.ok) failedTicks += 1;
            const at = scheduledAt.getTime();
            if (at === first || !result.opened) return;
            acks.set(at, (acks.get(at) ?? 0) + 1);
            lastAck.set(at, Math.max(lastAck.get(at) ?? 0, Date.now()));
          },
        });
      } finally {
        await runtime.close();
        cleanUp();
      }
      const measured = [...lastAck.keys()].sort((a, b) => a - b);
      return {
        wallMs: measured.map((at) => round((lastAck.get(at) as number) - at)),
        acknowledged: measured.map((at) => acks.get(at) as number),
        lateMoments,
        skippedMoments,
        maxLateMs: round(maxLateMs),
        leasesLost,
        failedTicks,
        startupMs: round(startupMs),
      };
    });
    return { bridges, store, concurrency, moments, floorMs: Math.ceil(bridges / concurrency) * 2 * delayMs, peakRssMb, ...value };
  } finally {
    await sim.close();
  }
}

/**
 * measureScale in a fresh node (with this process's V8 flags), so that its peak RSS is that of a
 * process running N bridges, not of the benchmark after its earlier rows.
 */
export async function measureScaleApart(options: Parameters<typeof measureScale>[0]): Promise<ScaleResult> {
  const script = fileURLToPath(new URL('./scale-child.js', import.meta.url));
  // The V8 flags only (`--name=value`): not a `-e` script that started this process.
  const flags = process.execArgv.filter((arg) => /^--[\w-]+=/.test(arg));
  const child = spawn(process.execPath, [...flags, script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the scale run of ${options.bridges} bridges on ${options.store ?? 'memory'} exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as ScaleResult;
}
