/** GET /metrics: Prometheus text that a parser accepts, with what run counts, and no trade ID anywhere. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSkipReport } from '../../src/cli/create-skip-report.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { startReceiver } from '../notify/fake-receiver.js';
import { openServed } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ fillDelayS: 0, seed: 41 });
});
afterAll(async () => {
  await sim.close();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The text exposition format, line by line: # HELP / # TYPE comments, then samples
 * `name{label="value",...} number`. Throws on any line that is neither, so a malformed
 * exposition fails the test instead of being skipped.
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  // Prometheus reads values with Go's ParseFloat, which takes NaN and Inf in any case: prom-client
  // writes "Nan" for the event-loop lag gauges before their first sample.
  const sampleLine = new RegExp(`^(${NAME})(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\.)*",?)*)\\})? (-?(?:[0-9.]+(?:e[+-]?[0-9]+)?|[+-]?Inf|NaN))(?: -?[0-9]+)?$`, 'i');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (new RegExp(`^# HELP ${NAME} .*$`).test(line)) continue;
    const m = sampleLine.exec(line);
    if (!m) throw new Error(`not a Prometheus line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

it('counts ticks, orders, API calls with latency, signal-to-order latency, open trades and P&L, token renewals, the lease', async () => {
  const s = await openServed(sim, { env: { BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_POLICY: 'reopen' } });
  try {
    const first = await s.tick();
    const second = await s.tick();
    expect(second.closed.map((c) => c.tradeId)).toEqual([first.opened]);
    await s.get('/api/bridges/b1');

    const r = await s.get('/metrics');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parseExposition(r.text);
    expect(value(samples, 'signal_bridge_ticks_total', { bridge: 'b1', outcome: 'ok' })).toBe(2);
    expect(value(samples, 'signal_bridge_orders_opened_total', { bridge: 'b1' })).toBe(2);
    expect(value(samples, 'signal_bridge_orders_closed_total', { bridge: 'b1', outcome: 'closing' })).toBe(1);
    expect(value(samples, 'signal_bridge_api_calls_total', { endpoint: '/open_order', outcome: 'ok' })).toBe(2);
    expect(value(samples, 'signal_bridge_api_calls_total', { endpoint: '/close_orders', outcome: 'ok' })).toBe(1);
    expect(types.get('signal_bridge_api_call_seconds')).toBe('histogram');
    expect(value(samples, 'signal_bridge_api_call_seconds_count', { endpoint: '/open_order' })).toBe(2);
    expect(value(samples, 'signal_bridge_api_call_seconds_bucket', { endpoint: '/open_order', le: '+Inf' })).toBe(2);
    expect(value(samples, 'signal_bridge_signal_to_order_seconds_count', { bridge: 'b1' })).toBe(2);
    expect(value(samples, 'signal_bridge_open_trades', { bridge: 'b1' })).toBe(1);
    expect(samples.some((x) => x.name === 'signal_bridge_unrealized_pl' && x.labels.bridge === 'b1')).toBe(true);
    expect(value(samples, 'signal_bridge_token_renewals_total', { user: 'demo' })).toBe(1);
    expect(value(samples, 'signal_bridge_lease_held', { bridge: 'b1' })).toBe(1);
    expect(types.get('signal_bridge_notifications_total')).toBe('counter');
    expect(value(samples, 'signal_bridge_process_resident_memory_bytes')).toBeGreaterThan(0);
    // Bounded labels: bridge ids, endpoint names, outcomes; never a trade ID.
    for (const id of [first.opened!, second.opened!]) expect(r.text).not.toContain(id);
    const labelNames = new Set(samples.flatMap((x) => Object.keys(x.labels)));
    for (const name of labelNames) expect(['bridge', 'outcome', 'endpoint', 'le', 'user', 'channel', 'version', 'major', 'minor', 'patch', 'space', 'kind', 'type']).toContain(name);

    // A lease lost reads 0 at the next scrape.
    await s.runtime.leases.get('b1')!.release();
    expect(value(parseExposition((await s.get('/metrics')).text).samples, 'signal_bridge_lease_held', { bridge: 'b1' })).toBe(0);
  } finally {
    await s.close();
  }
});

it('two servers in one process keep their own counts (a registry each)', async () => {
  const a = await openServed(sim, { env: { BRIDGE_TEST_SIGNAL: 'NONE' } });
  const b = await openServed(sim, { env: { BRIDGE_TEST_SIGNAL: 'NONE' } });
  try {
    await a.tick();
    await a.tick();
    await b.tick();
    expect(value(parseExposition((await a.get('/metrics')).text).samples, 'signal_bridge_ticks_total')).toBe(2);
    expect(value(parseExposition((await b.get('/metrics')).text).samples, 'signal_bridge_ticks_total')).toBe(1);
  } finally {
    await a.close();
    await b.close();
  }
});

it('counts notifications sent and dropped by the notifier', async () => {
  const receiver = await startReceiver();
  // The notifier retries a dead receiver with backoff before it drops the message: 10 ms, not 1 s, to start with.
  const s = await openServed(sim, { env: { BRIDGE_NOTIFY_WEBHOOK_URL: receiver.url }, notifyBackoffMs: 10 });
  try {
    s.runtime.alerts.verifyFailed('b1', 7, 'hash mismatch');
    await s.runtime.record.notifier.drain(5_000);
    expect(receiver.received).toHaveLength(1);
    receiver.mode = 'fail';
    // Another key (the same one would be held back by the dedupe window).
    s.runtime.alerts.verifyFailed('b2', 8, 'hash mismatch again');
    await s.runtime.record.notifier.drain(30_000);
    const { samples } = parseExposition((await s.get('/metrics')).text);
    expect(value(samples, 'signal_bridge_notifications_total', { outcome: 'sent', channel: 'webhook' })).toBe(1);
    expect(value(samples, 'signal_bridge_notifications_total', { outcome: 'dropped', channel: 'webhook' })).toBe(1);
  } finally {
    await s.close();
    await receiver.close();
  }
});

it('counts the scheduled moments skipped per bridge and reason, journals them, notifies once, and how late each moment fired', async () => {
  const receiver = await startReceiver();
  const s = await openServed(sim, { env: { BRIDGE_TEST_SIGNAL: 'NONE', BRIDGE_NOTIFY_WEBHOOK_URL: receiver.url } });
  try {
    // As run wires the worker's onSkipped and onMoment (src/cli/run.ts).
    const report = createSkipReport({ alerts: s.runtime.alerts, events: s.runtime.record.events, count: (id, reason, moments) => s.metrics.skippedMoments(id, reason, moments) });
    const [b1] = s.served.bridges;
    const schedule = b1!.config.schedule;
    report({ schedule, reason: 'event-loop-blocked', moments: [new Date('2026-11-22T10:00:01Z'), new Date('2026-11-22T10:00:02Z')], bridges: [b1!] });
    report({ schedule, reason: 'previous-tick-running', moments: [new Date('2026-11-22T10:00:04Z')], bridges: [b1!] });
    s.metrics.momentLateness(schedule, 0.004);
    s.metrics.momentLateness(schedule, 1.3);

    const { samples, types } = parseExposition((await s.get('/metrics')).text);
    expect(types.get('signal_bridge_skipped_moments_total')).toBe('counter');
    expect(value(samples, 'signal_bridge_skipped_moments_total', { bridge: 'b1', reason: 'event-loop-blocked' })).toBe(2);
    expect(value(samples, 'signal_bridge_skipped_moments_total', { bridge: 'b1', reason: 'previous-tick-running' })).toBe(1);
    expect(types.get('signal_bridge_moment_lateness_seconds')).toBe('histogram');
    expect(value(samples, 'signal_bridge_moment_lateness_seconds_count', { schedule })).toBe(2);
    expect(value(samples, 'signal_bridge_moment_lateness_seconds_bucket', { schedule, le: '0.5' })).toBe(1);

    await s.runtime.record.events.flush();
    const entries = await s.runtime.record.journal.entries({ bridge: 'b1' });
    expect(entries.filter((e) => e.type === 'moment_skipped')).toEqual([
      expect.objectContaining({ reason: 'event-loop-blocked', scheduledAt: '2026-11-22T10:00:01.000Z', last: '2026-11-22T10:00:02.000Z', moments: 2 }),
      expect.objectContaining({ reason: 'previous-tick-running', scheduledAt: '2026-11-22T10:00:04.000Z', moments: 1 }),
    ]);

    await s.runtime.record.notifier.drain(5_000);
    expect(receiver.received.map((r) => r.json())).toEqual([
      expect.objectContaining({ bridge: 'b1', level: 'critical', title: 'scheduled moment skipped' }),
      expect.objectContaining({ bridge: 'b1', level: 'warning', title: 'scheduled moment skipped' }),
    ]);
  } finally {
    await s.close();
    await receiver.close();
  }
});
