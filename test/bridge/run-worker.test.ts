import { describe, expect, it } from 'vitest';
import type { Bridge } from '../../src/bridge/create-bridge.js';
import type { TickResult } from '../../src/bridge/run-tick.js';
import { runWorker } from '../../src/bridge/run-worker.js';
import type { BridgeConfig } from '../../src/config.js';
import { captureLog } from '../helpers/capture-log.js';

/** A bridge that records what the worker asks of it; its tick takes `tickMs` of real time. */
function recordingBridge(id: string, options: { tickMs?: number; fail?: boolean } = {}) {
  const events: { kind: 'prefetch' | 'tick' | 'done'; at: number; slot: number }[] = [];
  const bridge = {
    id,
    config: { id, schedule: '* * * * * *' } as BridgeConfig,
    prefetch(scheduledAt: Date) {
      events.push({ kind: 'prefetch', at: Date.now(), slot: scheduledAt.getTime() });
    },
    async tick(scheduledAt: Date): Promise<TickResult> {
      events.push({ kind: 'tick', at: Date.now(), slot: scheduledAt.getTime() });
      await new Promise((resolve) => setTimeout(resolve, options.tickMs ?? 0));
      events.push({ kind: 'done', at: Date.now(), slot: scheduledAt.getTime() });
      if (options.fail) throw new Error(`bridge ${id} exploded`);
      return { ok: true, closed: [], ms: options.tickMs ?? 0 };
    },
  } as unknown as Bridge;
  return { bridge, events };
}

describe('the worker', () => {
  it('runs --ticks N scheduled moments, on whole seconds, then resolves', async () => {
    const { bridge, events } = recordingBridge('a');
    const { log } = captureLog();
    await runWorker({ bridges: [bridge], concurrency: 4, log, maxTicks: 3, signal: new AbortController().signal });
    const ticks = events.filter((e) => e.kind === 'tick');
    expect(ticks).toHaveLength(3);
    for (const t of ticks) expect(t.slot % 1000).toBe(0);
    expect(new Set(ticks.map((t) => t.slot)).size).toBe(3);
  });

  it("queries ahead: each tick after the first is preceded by a prefetch for that very moment", async () => {
    const { bridge, events } = recordingBridge('a');
    const { log } = captureLog();
    await runWorker({ bridges: [bridge], concurrency: 4, log, maxTicks: 3, signal: new AbortController().signal });
    const ticks = events.filter((e) => e.kind === 'tick');
    for (const tick of ticks.slice(1)) {
      const prefetch = events.find((e) => e.kind === 'prefetch' && e.slot === tick.slot);
      expect(prefetch, `prefetch for ${new Date(tick.slot).toISOString()}`).toBeDefined();
      expect(events.indexOf(prefetch!)).toBeLessThan(events.indexOf(tick));
    }
  });

  it('never overlaps a tick with the previous one of the same bridge: the moment is skipped and logged', async () => {
    const { bridge, events } = recordingBridge('slow', { tickMs: 1500 });
    const logs = captureLog();
    await runWorker({ bridges: [bridge], concurrency: 4, log: logs.log, maxTicks: 3, signal: new AbortController().signal });
    const starts = events.filter((e) => e.kind === 'tick');
    const ends = events.filter((e) => e.kind === 'done');
    for (let i = 1; i < starts.length; i += 1) expect(starts[i]!.at).toBeGreaterThanOrEqual(ends[i - 1]!.at);
    expect(starts.length).toBeLessThan(3);
    expect(logs.find('tick skipped: the previous tick is still running').length).toBeGreaterThan(0);
  });

  it('a bridge that throws never stops the others', async () => {
    const good = recordingBridge('good');
    const bad = recordingBridge('bad', { fail: true });
    const logs = captureLog();
    await runWorker({ bridges: [bad.bridge, good.bridge], concurrency: 4, log: logs.log, maxTicks: 2, signal: new AbortController().signal });
    expect(good.events.filter((e) => e.kind === 'done')).toHaveLength(2);
    expect(logs.find('tick crashed').map((l) => l.bridge)).toEqual(['bad', 'bad']);
  });

  it('stops on abort only after the running tick has finished', async () => {
    const { bridge, events } = recordingBridge('a', { tickMs: 400 });
    const { log } = captureLog();
    const controller = new AbortController();
    const stopped = runWorker({ bridges: [bridge], concurrency: 4, log, signal: controller.signal });
    while (!events.some((e) => e.kind === 'tick')) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await stopped;
    expect(events.filter((e) => e.kind === 'done')).toHaveLength(events.filter((e) => e.kind === 'tick').length);
  });

  it('bounds how many bridges tick at once', async () => {
    const bridges = Array.from({ length: 6 }, (_, i) => recordingBridge(`b${i}`, { tickMs: 100 }));
    const { log } = captureLog();
    await runWorker({ bridges: bridges.map((b) => b.bridge), concurrency: 2, log, maxTicks: 1, signal: new AbortController().signal });
    const all = bridges.flatMap((b) => b.events).sort((x, y) => x.at - y.at || (x.kind === 'done' ? -1 : 1));
    let running = 0;
    let peak = 0;
    for (const e of all) {
      if (e.kind === 'tick') running += 1;
      if (e.kind === 'done') running -= 1;
      peak = Math.max(peak, running);
    }
    expect(peak).toBe(2);
    expect(all.filter((e) => e.kind === 'done')).toHaveLength(6);
  });
});
