import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimProcess } from './start-sim-process.js';
import { round } from './stats.js';

const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const SAY_NOTHING = fileURLToPath(new URL('./strategies/say-nothing.js', import.meta.url));

export interface OnceStartupResult {
  runs: number;
  /** Median wall time from spawn to exit, per store. */
  medianMs: { memory: number; sqlite: number; redis: number };
  samplesMs: { memory: number[]; sqlite: number[]; redis: number[] };
}

/**
 * `once` with nothing to do (a strategy that answers NONE, nothing tracked), from exec to exit,
 * as a user or a cron job pays for it: mostly module loading and the store's connection.
 * One unmeasured run per store first, so that every measured run finds the same warm file cache.
 */
export async function measureOnceStartup(runs = 10, redisUrl = 'redis://127.0.0.1:6379'): Promise<OnceStartupResult> {
  const sim = await startSimProcess(0);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-startup-'));
  try {
    const stores = { memory: 'memory://', sqlite: `sqlite://${path.join(dir, 'bridge.sqlite')}`, redis: redisUrl };
    const samplesMs = { memory: [] as number[], sqlite: [] as number[], redis: [] as number[] };
    for (const [kind, store] of Object.entries(stores) as [keyof typeof stores, string][]) {
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        ALGOGENE_BASE_URL: sim.url,
        ALGOGENE_USER: 'demo',
        ALGOGENE_API_KEY: 'demo-key',
        ALGOGENE_ACCOUNT_ID: 'bench-once-startup',
        // The same bridge every run: nothing is ever opened, so its keys on Redis stay few.
        BRIDGE_ID: 'bench-once-startup',
        BRIDGE_STRATEGY: SAY_NOTHING,
        BRIDGE_STORE: store,
        BRIDGE_INSTRUMENT: 'BTCUSD',
      };
      await onceTimed(env, dir);
      for (let i = 0; i < runs; i += 1) samplesMs[kind].push(await onceTimed(env, dir));
    }
    return {
      runs,
      medianMs: { memory: median(samplesMs.memory), sqlite: median(samplesMs.sqlite), redis: median(samplesMs.redis) },
      samplesMs,
    };
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One `once`; refuses to count a run that failed or did no tick, which would be fast for the wrong reason. */
function onceTimed(env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'once'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = round(performance.now() - started);
      if (code === 0 && out.includes('"msg":"tick"')) resolve(ms);
      else reject(new Error(`once exited ${code} without a tick:\n${out}`));
    });
  });
}

/** The middle value; of an even count, the mean of the two middle ones (not the lower one, which would flatter). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return round(sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
}
