import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimProcess } from './start-sim-process.js';
import { percentile, round } from './stats.js';

export type EventKind = 'stream' | 'file' | 'webhook';
/** close+open: every signal flips the side (2 round trips); open: BUY after NONE (1 round trip). */
export type TickShape = 'close+open' | 'open';

export interface EventLatencyResult {
  kind: EventKind;
  shape: TickShape;
  samples: number;
  /** From the bench's write, rename or POST to the bridge's log line of the acknowledged order. */
  medianMs: number;
  p95Ms: number;
  /** The same, as the bridge measures it: from the moment the signal reached it. */
  bridgeMedianMs: number;
  floorMs: number;
}

const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const SECRET = 'bench-webhook-secret-0123456789';

/**
 * Signal-to-order latency of an event-driven bridge, the built CLI `run` against the simulator
 * (its own process, `delayMs` a call), on an hourly heartbeat so that only the signal can
 * explain a tick. Each sample: send one signal, wait for its tick's log line.
 */
export async function measureEventLatency(kind: EventKind, shape: TickShape, delayMs: number, samples: number): Promise<EventLatencyResult> {
  const sim = await startSimProcess(delayMs);
  const dir = mkdtempSync(path.join(os.tmpdir(), `sb-bench-${kind}-`));
  const signalFile = path.join(dir, 'signal.txt');
  const fifo = path.join(dir, 'lines');
  const port = await freePort();
  let strategy: string;
  if (kind === 'file') {
    writeFileSync(signalFile, 'NONE\n');
    strategy = `file:${signalFile}`;
  } else if (kind === 'stream') {
    spawnSync('mkfifo', [fifo]);
    strategy = `stream:exec cat ${fifo}`;
  } else strategy = 'webhook';
  const child = spawn(process.execPath, [BIN, 'run'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      ALGOGENE_BASE_URL: sim.url,
      ALGOGENE_USER: 'demo',
      ALGOGENE_API_KEY: 'demo-key',
      ALGOGENE_ACCOUNT_ID: `bench-${kind}-${shape}-${process.pid}`,
      BRIDGE_STORE: 'memory://',
      BRIDGE_INSTRUMENT: 'BTCUSD',
      BRIDGE_STRATEGY: strategy,
      BRIDGE_POLICY: 'hold',
      BRIDGE_SCHEDULE: '0 * * * *',
      BRIDGE_WEBHOOK_SECRET: SECRET,
      BRIDGE_HTTP_PORT: String(port),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ticks: { time: number; latencyMs?: number; opened?: string }[] = [];
  let out = '';
  let ready = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    let end;
    while ((end = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, end);
      out = out.slice(end + 1);
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { msg: string; time: number; latencyMs?: number; opened?: string; trigger?: string };
      // The webhook is served once the HTTP server listens, after start-up.
      if (kind === 'webhook' ? entry.msg.startsWith('http: serving') : entry.msg === 'signal-bridge running') ready = true;
      if ((entry.msg === 'tick' || entry.msg === 'tick failed') && entry.trigger === 'event') ticks.push(entry);
    }
  });
  const waitFor = async (test: () => boolean, what: string) => {
    for (let i = 0; i < 2000; i += 1) {
      if (test()) return;
      if (child.exitCode !== null) throw new Error(`bench: run exited before ${what}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    throw new Error(`bench: no ${what} within 4 s`);
  };
  const writer = kind === 'stream' ? await open(fifo, 'w') : undefined;
  const send = async (side: string) => {
    if (kind === 'file') {
      const tmp = path.join(dir, `.signal-${side}`);
      writeFileSync(tmp, `${side}\n`);
      const at = Date.now();
      renameSync(tmp, signalFile);
      return at;
    }
    if (kind === 'stream') {
      const at = Date.now();
      await writer!.write(`${side}\n`);
      return at;
    }
    const at = Date.now();
    const response = await fetch(`http://127.0.0.1:${port}/signal`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` }, body: side });
    await response.arrayBuffer();
    return at;
  };
  const fromSend: number[] = [];
  const fromArrival: number[] = [];
  try {
    await waitFor(() => ready, 'start-up');
    // Warm-up: the first order opens the connection and the session; then one sample per signal.
    const sides = shape === 'close+open' ? ['BUY', 'SELL'] : ['BUY', 'NONE'];
    const total = 2 + (shape === 'close+open' ? samples : 2 * samples);
    for (let i = 0; i < total; i += 1) {
      const side = sides[i % 2]!;
      const before = ticks.length;
      const sentAt = await send(side);
      await waitFor(() => ticks.length > before, `the tick of signal ${i}`);
      const tick = ticks[ticks.length - 1]!;
      if (i >= 2 && tick.opened) {
        fromSend.push(tick.time - sentAt);
        if (tick.latencyMs !== undefined) fromArrival.push(tick.latencyMs);
      }
      await new Promise((r) => setTimeout(r, 30));
    }
  } finally {
    await writer?.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    kind,
    shape,
    samples: fromSend.length,
    medianMs: round(percentile(fromSend, 50)),
    p95Ms: round(percentile(fromSend, 95)),
    bridgeMedianMs: round(percentile(fromArrival, 50)),
    floorMs: (shape === 'close+open' ? 2 : 1) * delayMs + 5,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
