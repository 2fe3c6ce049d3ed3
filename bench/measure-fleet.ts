import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteRedisKeys } from './bench-runtime.js';
import { startSimProcess } from './start-sim-process.js';
import { round } from './stats.js';

export interface FleetResult {
  bridges: number;
  instances: number;
  /** The measured moment: every bridge ticked, each closing its trade and opening the next. */
  scheduledAt: string;
  /** From the scheduled second to the last open_order acknowledgement of any instance. */
  lastAckMs: number;
  /** Bridges each instance ticked at that moment. */
  shares: number[];
  /** Peak RSS of each instance, MB. */
  peakRssMb: number[];
}

const CHILD = fileURLToPath(new URL('./child-rss.js', import.meta.url));
const ALTERNATE_BY_MOMENT = fileURLToPath(new URL('./strategies/alternate-by-moment.js', import.meta.url));
const INSTANCES = 3;

/**
 * N bridges over three `run --fleet` processes on the local Redis (127.0.0.1:6379), against the
 * simulator in a process of its own, every 20 s. Waits for a moment at which every bridge ticked
 * with a trade to close (the steady state, the fleet settled), and reports the time from that
 * scheduled second to the last acknowledgement, each instance's share, and each one's peak RSS.
 */
export async function measureFleet(bridges: number, delayMs: number, timeoutMs = 300_000): Promise<FleetResult> {
  const sim = await startSimProcess(delayMs);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-fleet-'));
  const tag = `bench-fleet-${randomUUID().slice(0, 8)}`;
  const file = path.join(dir, 'bridges.json');
  writeFileSync(file, JSON.stringify({ defaults: { strategy: ALTERNATE_BY_MOMENT, schedule: '*/20 * * * * *', instrument: 'BTCUSD' }, bridges: Array.from({ length: bridges }, (_, i) => ({ id: `${tag}-${i}`, account: `${tag}-${i}` })) }));
  const env = {
    PATH: process.env.PATH ?? '',
    ALGOGENE_BASE_URL: sim.url,
    ALGOGENE_USER: 'demo',
    ALGOGENE_API_KEY: 'demo-key',
    BRIDGE_CONFIG: file,
    BRIDGE_STORE: 'redis://127.0.0.1:6379',
    BRIDGE_FLEET: tag,
    BRIDGE_CONCURRENCY: '256',
    BRIDGE_HTTP_PORT: '0',
    LOG_LEVEL: 'info',
  };
  // Per scheduled moment: per instance, the ticks that closed and opened, and the latest acknowledgement.
  const moments = new Map<string, { ticks: number[]; lastAckMs: number }>();
  const children: { child: ChildProcess; rssKb: Promise<number> }[] = [];
  try {
    const found = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no settled moment within ${timeoutMs} ms`)), timeoutMs);
      for (let n = 0; n < INSTANCES; n += 1) {
        const child = spawn(process.execPath, ['--max-semi-space-size=64', '--max-old-space-size=1024', CHILD, 'run'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'inherit', 'pipe'] });
        let rest = '';
        child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop() ?? '';
          for (const text of lines) {
            if (!text.includes('"msg":"tick"')) continue;
            const line = JSON.parse(text) as { scheduledAt: string; closed: string[]; opened?: string; latencyMs?: number };
            if (line.closed.length === 0 || !line.opened) continue;
            const moment = moments.get(line.scheduledAt) ?? { ticks: Array.from({ length: INSTANCES }, () => 0), lastAckMs: 0 };
            moment.ticks[n] = (moment.ticks[n] ?? 0) + 1;
            moment.lastAckMs = Math.max(moment.lastAckMs, line.latencyMs ?? 0);
            moments.set(line.scheduledAt, moment);
            if (moment.ticks.reduce((a, b) => a + b, 0) === bridges && moment.ticks.every((t) => t > 0)) {
              clearTimeout(timer);
              resolve(line.scheduledAt);
            }
          }
        });
        let report = '';
        child.stdio[3]?.on('data', (chunk: Buffer) => (report += chunk.toString()));
        children.push({ child, rssKb: new Promise((done) => child.on('close', () => done(Number(report) || 0))) });
      }
    });
    const scheduledAt = await found;
    const moment = moments.get(scheduledAt) as { ticks: number[]; lastAckMs: number };
    for (const { child } of children) child.kill('SIGTERM');
    const rss = await Promise.all(children.map((c) => c.rssKb));
    return { bridges, instances: INSTANCES, scheduledAt, lastAckMs: round(moment.lastAckMs), shares: moment.ticks, peakRssMb: rss.map((kb) => round(kb / 1024)) };
  } finally {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    // Its 10,000 bridges' leases, states and journals would stay in the local Redis otherwise.
    deleteRedisKeys(tag);
  }
}
