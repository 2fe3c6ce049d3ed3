import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ALTERNATE } from './bench-runtime.js';
import { startSimProcess } from './start-sim-process.js';
import { round } from './stats.js';

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
              BRIDGE_INSTRUMENT: 'BTCUSD',
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
