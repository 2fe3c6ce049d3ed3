/** The worker's logic on fake timers: no test here waits for a real second. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bridge, TickTrigger } from '../../src/bridge/create-bridge.js';
import type { TickResult } from '../../src/bridge/run-tick.js';
import { runWorker, type MomentEvent, type SkippedEvent } from '../../src/bridge/run-worker.js';
import type { BridgeConfig } from '../../src/config.js';
import { createSignalEmitter } from '../../src/strategy/signal-emitter.js';
import { captureLog } from '../helpers/capture-log.js';

interface Recorded {
  kind: 'prefetch' | 'tick' | 'done';
  at: number;
  slot: number;
  trigger?: TickTrigger;
}

/** A bridge that records what the worker asks of it; its tick takes `tickMs`, its prefetch `prefetchMs`. */
function recordingBridge(id: string, options: { tickMs?: number; prefetchMs?: number; fail?: boolean; schedule?: string; events?: boolean; askAfterMs?: number } = {}) {
  const events: Recorded[] = [];
  const signals = createSignalEmitter();
  const bridge = {
    id,
    config: { id, schedule: options.schedule ?? '* * * * * *' } as BridgeConfig,
    async prefetch(scheduledAt: Date) {
      events.push({ kind: 'prefetch', at: Date.now(), slot: scheduledAt.getTime() });
      await new Promise((resolve) => setTimeout(resolve, options.prefetchMs ?? 0));
    },
    async tick(scheduledAt: Date, tickOptions: { trigger?: TickTrigger; onAsk?: () => void } = {}): Promise<TickResult> {
      events.push({ kind: 'tick', at: Date.now(), slot: scheduledAt.getTime(), trigger: tickOptions.trigger });
      // The strategy is asked at once, or after the tick's own preparations (askAfterMs).
      if (options.askAfterMs) await new Promise((resolve) => setTimeout(resolve, options.askAfterMs));
      tickOptions.onAsk?.();
      await new Promise((resolve) => setTimeout(resolve, (options.tickMs ?? 0) - (options.askAfterMs ?? 0)));
      events.push({ kind: 'done', at: Date.now(), slot: scheduledAt.getTime() });
      if (options.fail) throw new Error(`bridge ${id} exploded`);
      return { ok: true, closed: [], ms: options.tickMs ?? 0 };
    },
    onSignal: options.events ? signals.on : undefined,
  } as unknown as Bridge;
  return { bridge, events, emit: (at = Date.now()) => signals.emit(at) };
}

const ticksOf = (events: Recorded[]) => events.filter((e) => e.kind === 'tick');

beforeEach(() => {
  vi.useFakeTimers();
  // Half a second into a second, as a process starts at any moment.
  vi.setSystemTime(new Date('2026-11-22T10:00:00.500Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the worker: scheduled moments', () => {
  it('runs --ticks N scheduled moments, on whole seconds, then resolves', async () => {
    const { bridge, events } = recordingBridge('a');
    const { log } = captureLog();
    const done = runWorker({ bridges: [bridge], concurrency: 4, log, maxTicks: 3, signal: new AbortController().signal });
    await vi.advanceTimersByTimeAsync(3_600);
    await done;
    const ticks = ticksOf(events);
    expect(ticks).toHaveLength(3);
    for (const t of ticks) expect(t.slot % 1000).toBe(0);
    expect(new Set(ticks.map((t) => t.slot)).size).toBe(3);
  });

  it('queries ahead: each tick after the first is preceded by a prefetch for that very moment', async () => {
    const { bridge, events } = recordingBridge('a');
    const { log } = captureLog();
    const done = runWorker({ bridges: [bridge], concurrency: 4, log, maxTicks: 3, signal: new AbortController().signal });
    await vi.advanceTimersByTimeAsync(3_600);
    await done;
    for (const tick of ticksOf(events).slice(1)) {
      const prefetch = events.find((e) => e.kind === 'prefetch' && e.slot === tick.slot);
      expect(prefetch, `prefetch for ${new Date(tick.slot).toISOString()}`).toBeDefined();
      expect(events.indexOf(prefetch!)).toBeLessThan(events.indexOf(tick));
    }
  });

  it('never overlaps a tick with the previous one of the same bridge: the moment is skipped and logged', async () => {
    const { bridge, events } = recordingBridge('slow', { tickMs: 1500 });
    const logs = captureLog();
    const done = runWorker({ bridges: [bridge], concurrency: 4, log: logs.log, maxTicks: 3, signal: new AbortController().signal });
    await vi.advanceTimersByTimeAsync(5_000);
    await done;
    const starts = ticksOf(events);
    const ends = events.filter((e) => e.kind === 'done');
    for (let i = 1; i < starts.length; i += 1) expect(starts[i]!.at).toBeGreaterThanOrEqual(ends[i - 1]!.at);
    expect(starts.length).toBeLessThan(3);
    expect(logs.find('tick skipped: the previous tick is still running').length).toBeGreaterThan(0);
  });

  it('a bridge that throws never stops the others', async () => {
    const good = recordingBridge('good');
    const bad = recordingBridge('bad', { fail: true });
    const logs = captureLog();
    const done = runWorker({ bridges: [bad.bridge, good.bridge], concurrency: 4, log: logs.log, maxTicks: 2, signal: new AbortController().signal });
    await vi.advanceTimersByTimeAsync(2_600);
    await done;
    expect(good.events.filter((e) => e.kind === 'done')).toHaveLength(2);
    expect(logs.find('tick crashed').map((l) => l.bridge)).toEqual(['bad', 'bad']);
  });

  it('stops on abort only after the running tick has finished', async () => {
    const { bridge, events } = recordingBridge('a', { tickMs: 400 });
    const { log } = captureLog();
    const controller = new AbortController();
    let resolved = false;
    const stopped = runWorker({ bridges: [bridge], concurrency: 4, log, signal: controller.signal }).then(() => {
      resolved = true;
    });
    await vi.advanceTimersByTimeAsync(600);
    expect(ticksOf(events)).toHaveLength(1);
    controller.abort();
    await vi.advanceTimersByTimeAsync(100);
    expect(resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(400);
    await stopped;
    expect(events.filter((e) => e.kind === 'done')).toHaveLength(1);
  });

  it('bounds how many bridges tick at once', async () => {
    const bridges = Array.from({ length: 6 }, (_, i) => recordingBridge(`b${i}`, { tickMs: 100 }));
    const { log } = captureLog();
    const done = runWorker({ bridges: bridges.map((b) => b.bridge), concurrency: 2, log, maxTicks: 1, signal: new AbortController().signal });
    await vi.advanceTimersByTimeAsync(1_000);
    await done;
    const all = bridges.flatMap((b) => b.events).filter((e) => e.kind !== 'prefetch').sort((x, y) => x.at - y.at || (x.kind === 'done' ? -1 : 1));
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

describe('the worker: moments are never dropped silently', () => {
  it('a moment that fires late still runs, and says how late', async () => {
    const { bridge, events } = recordingBridge('a', { schedule: '*/5 * * * * *' });
    const logs = captureLog();
    const moments: MomentEvent[] = [];
    const done = runWorker({ bridges: [bridge], concurrency: 4, log: logs.log, maxTicks: 1, signal: new AbortController().signal, onMoment: (m) => moments.push(m) });
    // The wall clock jumps 1.3 s ahead at 10:00:04.9, as if the event loop had been blocked: the
    // 10:00:05 timer, set to fire 2 ms early, fires 98 ms later, at 10:00:06.298.
    await vi.advanceTimersByTimeAsync(4_400);
    vi.setSystemTime(new Date('2026-11-22T10:00:06.200Z'));
    await vi.advanceTimersByTimeAsync(200);
    await done;
    expect(ticksOf(events).map((t) => new Date(t.slot).toISOString())).toEqual(['2026-11-22T10:00:05.000Z']);
    expect(moments[0]).toMatchObject({ lateMs: 1298, skipped: [] });
    expect(logs.find('scheduled moment ran late')[0]).toMatchObject({ lateMs: 1298, scheduledAt: '2026-11-22T10:00:05.000Z' });
  });

  it('when the loop was blocked past several moments, the latest runs and each one before it is an error', async () => {
    const { bridge, events } = recordingBridge('a');
    const logs = captureLog();
    const moments: MomentEvent[] = [];
    const done = runWorker({ bridges: [bridge], concurrency: 4, log: logs.log, maxTicks: 4, signal: new AbortController().signal, onMoment: (m) => moments.push(m) });
    await vi.advanceTimersByTimeAsync(400);
    // The wall clock jumps from 10:00:00.9 to 10:00:03.3; the 10:00:01 timer (2 ms early) fires 98 ms
    // later, at 10:00:03.398: moments :01, :02 and :03 have all passed.
    vi.setSystemTime(new Date('2026-11-22T10:00:03.300Z'));
    await vi.advanceTimersByTimeAsync(1_200);
    await done;
    expect(moments[0]).toMatchObject({ lateMs: 398 });
    expect(moments[0]!.scheduledAt.toISOString()).toBe('2026-11-22T10:00:03.000Z');
    expect(moments[0]!.skipped.map((d) => d.toISOString())).toEqual(['2026-11-22T10:00:01.000Z', '2026-11-22T10:00:02.000Z']);
    expect(logs.find('scheduled moment skipped: the event loop was blocked past it').map((l) => l.scheduledAt)).toEqual(['2026-11-22T10:00:01.000Z', '2026-11-22T10:00:02.000Z']);
    // The skipped moments count towards --ticks 4: :03 ran, then :04.
    expect(ticksOf(events).map((t) => new Date(t.slot).toISOString())).toEqual(['2026-11-22T10:00:03.000Z', '2026-11-22T10:00:04.000Z']);
  });
});

describe('the worker: a skipped moment is reported, for the caller to count and notify', () => {
  const reported = (skips: SkippedEvent[]) =>
    skips.map((s) => ({ schedule: s.schedule, reason: s.reason, moments: s.moments.map((d) => d.toISOString()), bridges: s.bridges.map((b) => b.id) }));

  it('moments the loop was blocked past: once, naming every bridge of the schedule that is not retired', async () => {
    const bridges = ['a', 'b', 'gone'].map((id) => recordingBridge(id));
    // Another schedule: reported on its own, with its own bridges.
    const other = recordingBridge('other', { schedule: '*/2 * * * * *' });
    const logs = captureLog();
    const skips: SkippedEvent[] = [];
    const done = runWorker({
      bridges: [...bridges.map((b) => b.bridge), other.bridge],
      concurrency: 4,
      log: logs.log,
      maxTicks: 4,
      signal: new AbortController().signal,
      // In a fleet, a bridge run by another member is retired here: its moments are not this process's to count.
      isRetired: (bridge) => bridge.id === 'gone',
      onSkipped: (s) => skips.push(s),
    });
    await vi.advanceTimersByTimeAsync(400);
    // The wall clock jumps from 10:00:00.9 to 10:00:03.3: moments :01 and :02 never run, :03 runs
    // late. The */2 timer, due 1.1 s later, fires at 10:00:04.4: :02 never runs, :04 runs late.
    vi.setSystemTime(new Date('2026-11-22T10:00:03.300Z'));
    await vi.advanceTimersByTimeAsync(5_000);
    await done;
    expect(reported(skips)).toEqual([
      { schedule: '* * * * * *', reason: 'event-loop-blocked', moments: ['2026-11-22T10:00:01.000Z', '2026-11-22T10:00:02.000Z'], bridges: ['a', 'b'] },
      { schedule: '*/2 * * * * *', reason: 'event-loop-blocked', moments: ['2026-11-22T10:00:02.000Z'], bridges: ['other'] },
    ]);
    expect(ticksOf(bridges[0]!.events).map((t) => new Date(t.slot).toISOString())).toEqual(['2026-11-22T10:00:03.000Z', '2026-11-22T10:00:04.000Z']);
  });

  it('a moment that finds the previous tick still running: once per moment, naming the bridges it did not tick', async () => {
    const slow = recordingBridge('slow', { tickMs: 1_500 });
    const quick = recordingBridge('quick');
    const logs = captureLog();
    const skips: SkippedEvent[] = [];
    const done = runWorker({ bridges: [slow.bridge, quick.bridge], concurrency: 4, log: logs.log, maxTicks: 3, signal: new AbortController().signal, onSkipped: (s) => skips.push(s) });
    await vi.advanceTimersByTimeAsync(5_000);
    await done;
    // :01 starts the slow tick, :02 finds it running, :03 starts the next one.
    expect(reported(skips)).toEqual([{ schedule: '* * * * * *', reason: 'previous-tick-running', moments: ['2026-11-22T10:00:02.000Z'], bridges: ['slow'] }]);
    expect(ticksOf(quick.events)).toHaveLength(3);
    expect(logs.find('tick skipped: the previous tick is still running').map((l) => l.bridge)).toEqual(['slow']);
  });

  it('many bridges still ticking at a moment make one line that counts them, not one line each', async () => {
    const slow = Array.from({ length: 30 }, (_, i) => recordingBridge(`slow-${i}`, { tickMs: 1_500 }));
    const logs = captureLog();
    const done = runWorker({ bridges: slow.map((b) => b.bridge), concurrency: 64, log: logs.log, maxTicks: 3, signal: new AbortController().signal });
    await vi.advanceTimersByTimeAsync(5_000);
    await done;
    const lines = logs.find('tick skipped: the previous tick is still running');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ count: 30, scheduledAt: '2026-11-22T10:00:02.000Z' });
    expect(lines[0]?.bridges).toHaveLength(20);
  });

  it('a moment that finds a signal\'s tick running is not skipped: it runs right after that tick, once', async () => {
    const { bridge, events, emit } = recordingBridge('ev', { tickMs: 600, events: true });
    const logs = captureLog();
    const skips: SkippedEvent[] = [];
    const done = runWorker({ bridges: [bridge], concurrency: 4, log: logs.log, maxTicks: 2, signal: new AbortController().signal, onSkipped: (s) => skips.push(s) });
    await vi.advanceTimersByTimeAsync(100);
    // 10:00:00.6: the strategy decides; its tick runs until 10:00:01.2, past the moment :01.
    emit();
    await vi.advanceTimersByTimeAsync(3_000);
    await done;
    expect(skips).toEqual([]);
    expect(ticksOf(events).map((t) => ({ at: new Date(t.at).toISOString(), slot: new Date(t.slot).toISOString(), trigger: t.trigger }))).toEqual([
      { at: '2026-11-22T10:00:00.600Z', slot: '2026-11-22T10:00:00.600Z', trigger: 'event' },
      { at: '2026-11-22T10:00:01.200Z', slot: '2026-11-22T10:00:01.000Z', trigger: 'schedule' },
      { at: '2026-11-22T10:00:02.000Z', slot: '2026-11-22T10:00:02.000Z', trigger: 'schedule' },
    ]);
    expect(logs.find('scheduled moment deferred: a signal\'s tick is running; it runs right after')).toHaveLength(1);
  });

  it('a listener that throws is logged and stops nothing', async () => {
    const { bridge, events } = recordingBridge('a', { tickMs: 1_500 });
    const logs = captureLog();
    const done = runWorker({
      bridges: [bridge],
      concurrency: 4,
      log: logs.log,
      maxTicks: 3,
      signal: new AbortController().signal,
      onSkipped: () => {
        throw new Error('the alert could not be built');
      },
    });
    await vi.advanceTimersByTimeAsync(5_000);
    await done;
    expect(ticksOf(events)).toHaveLength(2);
    expect(logs.find('worker: a listener of the scheduled moments threw')).toEqual([expect.objectContaining({ error: 'the alert could not be built' })]);
  });
});

describe('the worker: prefetches', () => {
  it('bounds prefetches in a lane of their own and spreads them ahead of the moment as the bridges grow', async () => {
    const bridges = Array.from({ length: 40 }, (_, i) => recordingBridge(`b${i}`, { schedule: '*/30 * * * * *', prefetchMs: 50 }));
    const { log } = captureLog();
    const done = runWorker({ bridges: bridges.map((b) => b.bridge), concurrency: 4, log, maxTicks: 1, signal: new AbortController().signal });
    await vi.advanceTimersByTimeAsync(30_000);
    await done;
    const prefetches = bridges.flatMap((b) => b.events).filter((e) => e.kind === 'prefetch');
    expect(prefetches).toHaveLength(40);
    // 40 bridges, 4 prefetches at a time (the concurrency) of 50 ms, started early enough (at least a
    // second, more as the bridges grow) that every one is done before the moment.
    const moment = Date.parse('2026-11-22T10:00:30.000Z');
    expect(Math.min(...prefetches.map((p) => p.at))).toBeLessThan(moment - 1_000);
    expect(Math.max(...prefetches.map((p) => p.at)) + 50).toBeLessThanOrEqual(moment);
    const starts = prefetches.map((p) => p.at).sort((a, b) => a - b);
    for (let i = 4; i < starts.length; i += 1) expect(starts[i]! - starts[i - 4]!).toBeGreaterThanOrEqual(50);
  });

  it('drops a prefetch still queued when its moment comes: the tick never waits behind it', async () => {
    // 8 bridges every second, prefetches of 600 ms, 1 at a time: most cannot run before their moment.
    const bridges = Array.from({ length: 8 }, (_, i) => recordingBridge(`b${i}`, { prefetchMs: 600 }));
    const { log } = captureLog();
    const done = runWorker({ bridges: bridges.map((b) => b.bridge), concurrency: 2, log, maxTicks: 2, signal: new AbortController().signal });
    await vi.advanceTimersByTimeAsync(3_000);
    await done;
    const all = bridges.flatMap((b) => b.events);
    const second = Date.parse('2026-11-22T10:00:02.000Z');
    // Every prefetch for the moment started before it; none was started late.
    for (const p of all.filter((e) => e.kind === 'prefetch')) expect(p.at).toBeLessThan(p.slot);
    expect(all.filter((e) => e.kind === 'prefetch' && e.slot === second).length).toBeLessThan(8);
    expect(all.filter((e) => e.kind === 'tick' && e.slot === second)).toHaveLength(8);
  });
});

describe('the worker: signals tick at once', () => {
  it('a signal starts the bridge\'s tick at once, between scheduled moments, carrying its arrival time', async () => {
    const { bridge, events, emit } = recordingBridge('ev', { schedule: '0 * * * *', events: true });
    const { log } = captureLog();
    const controller = new AbortController();
    const done = runWorker({ bridges: [bridge], concurrency: 4, log, signal: controller.signal });
    await vi.advanceTimersByTimeAsync(2_000);
    const arrivedAt = Date.now();
    emit(arrivedAt);
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    await done;
    expect(ticksOf(events)).toEqual([{ kind: 'tick', at: arrivedAt, slot: arrivedAt, trigger: 'event' }]);
  });

  it('signals during a tick: one tick right after it, for the latest only', async () => {
    const { bridge, events, emit } = recordingBridge('ev', { schedule: '0 * * * *', events: true, tickMs: 300 });
    const { log } = captureLog();
    const controller = new AbortController();
    const done = runWorker({ bridges: [bridge], concurrency: 4, log, signal: controller.signal });
    emit();
    // Nine more within the running tick.
    const arrivals: number[] = [];
    for (let i = 0; i < 9; i += 1) {
      await vi.advanceTimersByTimeAsync(30);
      arrivals.push(Date.now());
      emit(Date.now());
    }
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort();
    await done;
    const ticks = ticksOf(events);
    expect(ticks).toHaveLength(2);
    expect(ticks[1]!.slot).toBe(arrivals.at(-1));
    const firstDone = events.find((e) => e.kind === 'done')!;
    expect(ticks[1]!.at).toBe(firstDone.at);
  });

  it('a signal heard before the tick asked its strategy is in that answer: no second tick for it; one heard after is', async () => {
    const { bridge, events, emit } = recordingBridge('ev', { schedule: '0 * * * *', events: true, tickMs: 300, askAfterMs: 100 });
    const { log } = captureLog();
    const controller = new AbortController();
    const done = runWorker({ bridges: [bridge], concurrency: 4, log, signal: controller.signal });
    emit();
    // Heard while the tick prepares, before the strategy is asked: the answer includes it.
    await vi.advanceTimersByTimeAsync(50);
    emit(Date.now());
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ticksOf(events)).toHaveLength(1);

    emit();
    // Heard after the strategy was asked: the answer could not include it, so it gets a tick of its own.
    await vi.advanceTimersByTimeAsync(150);
    const late = Date.now();
    emit(late);
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort();
    await done;
    const ticks = ticksOf(events);
    expect(ticks).toHaveLength(3);
    expect(ticks[2]!.slot).toBe(late);
  });

  it('a retired bridge is not ticked by its signals, and no signal ticks after stop', async () => {
    const { bridge, events, emit } = recordingBridge('ev', { schedule: '0 * * * *', events: true });
    const { log } = captureLog();
    const controller = new AbortController();
    let retired = false;
    const done = runWorker({ bridges: [bridge], concurrency: 4, log, signal: controller.signal, isRetired: () => retired });
    retired = true;
    emit();
    await vi.advanceTimersByTimeAsync(10);
    retired = false;
    controller.abort();
    emit();
    await vi.advanceTimersByTimeAsync(10);
    await done;
    expect(ticksOf(events)).toHaveLength(0);
  });
});
