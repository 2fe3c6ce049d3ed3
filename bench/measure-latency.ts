import { runWorker } from '../src/bridge/run-worker.js';
import { benchRuntime } from './bench-runtime.js';
import { measureRoundTrip } from './measure-round-trip.js';
import { startSimProcess } from './start-sim-process.js';
import { percentile, round } from './stats.js';

export interface LatencyResult {
  ticks: number;
  medianMs: number;
  p95Ms: number;
  newConnectionsPerTick: number;
  firstTickNewConnections: number;
  /** New connections opened during each tick, the first included. */
  connectionsPerTick: number[];
  /** One bare call to the same simulator, nothing of the bridge in it (median). */
  roundTripMs: number;
}

/**
 * Signal-to-order latency of the bridge: from the scheduled second to the open_order reply,
 * every tick closing one trade and opening one, against a server that takes `delayMs` a call.
 */
export async function measureLatency(delayMs: number, ticks: number): Promise<LatencyResult> {
  const sim = await startSimProcess(delayMs);
  const roundTrip = await measureRoundTrip(sim.url, 20);
  const { runtime, log } = await benchRuntime({ url: sim.url, bridges: 1, schedule: '* * * * * *' });
  const latencies: number[] = [];
  const connections: number[] = [];
  let before = runtime.http.connectionsOpened();
  try {
    // One tick more than measured: the first has nothing to close.
    await runWorker({
      bridges: runtime.bridges,
      concurrency: 1,
      log,
      maxTicks: ticks + 1,
      signal: new AbortController().signal,
      onTick: ({ result }) => {
        const opened = runtime.http.connectionsOpened();
        connections.push(opened - before);
        before = opened;
        if (result.closed.length > 0 && result.latencyMs !== undefined) latencies.push(result.latencyMs);
      },
    });
  } finally {
    await runtime.close();
    await sim.close();
  }
  const later = connections.slice(1);
  return {
    ticks: latencies.length,
    medianMs: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    connectionsPerTick: connections,
    newConnectionsPerTick: round(later.reduce((a, b) => a + b, 0) / Math.max(1, later.length), 2),
    firstTickNewConnections: connections[0] ?? 0,
    roundTripMs: roundTrip.medianMs,
  };
}
