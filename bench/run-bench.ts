import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureEventLatency, type EventLatencyResult } from './measure-event-latency.js';
import { measureCopies } from './measure-fan-out.js';
import { measureFleet } from './measure-fleet.js';
import { measureLatency } from './measure-latency.js';
import { measureLateness } from './measure-lateness.js';
import { measurePublishedWay } from './measure-published-way.js';
import { measureOnceStartup } from './measure-once-startup.js';
import type { BenchStore } from './bench-runtime.js';
import { measureScaleApart, type ScaleResult } from './measure-scale.js';
import { round } from './stats.js';

// npm run bench [-- --delay-ms 50 --quick --full]. Prints a table and writes bench/results.json.
// --quick: latency rows only (a minute). --full: also 10,000 bridges in one process (a few minutes more, heavy).
const { values } = parseArgs({
  options: {
    'delay-ms': { type: 'string', default: '50' },
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    'concurrency-10k': { type: 'string', default: '256' },
    'fleet-bridges': { type: 'string', default: '10000' },
    stores: { type: 'string', default: 'memory,sqlite,redis' },
  },
});
const delayMs = Number(values['delay-ms']);
const quick = values.quick === true;
const full = values.full === true;
const line = (text: string) => process.stdout.write(`${text}\n`);
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

line(`signal-bridge bench: simulator delay ${delayMs} ms per request${quick ? ' (quick)' : ''}${full ? ' (full)' : ''}`);
const latency = await measureLatency(delayMs, 20);
const events: EventLatencyResult[] = [];
for (const kind of ['stream', 'file', 'webhook'] as const) {
  for (const shape of ['close+open', 'open'] as const) events.push(await measureEventLatency(kind, shape, delayMs, 15));
}
const published = quick ? undefined : await measurePublishedWay(delayMs, 20);
// Before the heavy rows: what they leave behind (a Redis freeing 30,000 keys, a busy page cache) is not start-up.
const startup = await measureOnceStartup(10);
const stores = String(values.stores).split(',').filter((s): s is BenchStore => s === 'memory' || s === 'sqlite' || s === 'redis');
const scale1000: ScaleResult[] = [];
const scale10k: ScaleResult[] = [];
for (const store of quick ? [] : stores) scale1000.push(await measureScaleApart({ bridges: 1000, delayMs, moments: 3, everyS: 10, concurrency: 32, store }));
for (const store of full ? stores : []) scale10k.push(await measureScaleApart({ bridges: 10_000, delayMs, moments: 5, everyS: 20, concurrency: Number(values['concurrency-10k']), store }));
const copies = quick ? [] : [await measureCopies(1, delayMs), await measureCopies(10, delayMs)];
const lateness = quick ? undefined : await measureLateness(30, 100, delayMs);
const fleet = await measureFleet(quick ? 300 : Number(values['fleet-bridges']), delayMs).catch((error: Error) => ({ error: error.message }));

const latencyFloor = 2 * delayMs + 5;
line('');
line('| measure | result | floor / target | verdict |');
line('|---|---|---|---|');
line(`| one bare call to the simulator, nothing of the bridge in it (median of 20) | ${latency.roundTripMs} ms | ${delayMs} ms delay | |`);
line(`| signal-to-order, scheduled moment, close + open (median / p95, ${latency.ticks} ticks) | ${latency.medianMs} / ${latency.p95Ms} ms (${round(latency.medianMs - 2 * latency.roundTripMs, 1)} ms over two bare calls) | median <= ${latencyFloor} ms | ${verdict(latency.medianMs <= latencyFloor)} |`);
for (const e of events) {
  const from = e.kind === 'stream' ? 'line written' : e.kind === 'file' ? 'file renamed' : 'POST sent';
  line(`| signal-to-order, ${e.kind} (${from}), ${e.shape} (median / p95, ${e.samples}; bridge's own median) | ${e.medianMs} / ${e.p95Ms} ms (${e.bridgeMedianMs} ms) | median <= ${e.floorMs} ms | ${verdict(e.medianMs <= e.floorMs)} |`);
}
line(`| new TCP connections per tick (after the first tick) | ${latency.newConnectionsPerTick} (first tick: ${latency.firstTickNewConnections}) | 0 | ${verdict(latency.newConnectionsPerTick === 0)} |`);
if (published) {
  line(`| the published example's tick (median / p95) | ${published.medianMs} / ${published.p95Ms} ms | | |`);
  line(`| published example / bridge (median) | ${(published.medianMs / latency.medianMs).toFixed(2)}x | | |`);
}
const scaleRow = (s: ScaleResult, target: string, ok: boolean) =>
  line(
    `| ${s.bridges} bridges in one process on ${s.store}, concurrency ${s.concurrency}: each moment acknowledged (${s.wallMs.length} moments after the first) / peak RSS / late, skipped moments / leases lost | ${s.wallMs.join(', ')} ms (${s.acknowledged.join(', ')} acks) / ${s.peakRssMb} MB / ${s.lateMoments}, ${s.skippedMoments} / ${s.leasesLost} | floor ${s.floorMs} ms; ${target} | ${verdict(ok)} |`,
  );
for (const s of scale1000) {
  const limit = Math.round(1.2 * s.floorMs);
  scaleRow(s, `<= ${limit} ms every moment`, s.wallMs.every((w) => w <= limit) && s.acknowledged.every((a) => a === 1000) && s.skippedMoments === 0 && s.leasesLost === 0);
}
for (const s of scale10k) {
  scaleRow(
    s,
    '< 10000 ms every moment, < 500 MB, none skipped, no lease lost',
    s.wallMs.length >= 5 && s.wallMs.every((w) => w < 10_000) && s.acknowledged.every((a) => a === 10_000) && s.peakRssMb < 500 && s.skippedMoments === 0 && s.leasesLost === 0,
  );
}
for (const c of copies) line(`| one tick, ${c.copies} one-bridge process(es) (once): wall / sum of peak RSS | ${c.wallMs} ms (${c.succeeded} ok) / ${c.sumPeakRssMb} MB | | |`);
line('error' in fleet ? `| fleet | not measured: ${fleet.error} | | |` : `| one tick, ${fleet.bridges} bridges over ${fleet.instances} fleet instances (Redis): scheduled second to last ack / shares / peak RSS per instance | ${fleet.lastAckMs} ms / ${fleet.shares.join(', ')} / ${fleet.peakRssMb.join(', ')} MB | | |`);
line(`| \`once\` with nothing to do, exec to exit (median of ${startup.runs}), memory / SQLite / Redis | ${startup.medianMs.memory} / ${startup.medianMs.sqlite} / ${startup.medianMs.redis} ms | < 400 ms | ${verdict(Math.max(startup.medianMs.memory, startup.medianMs.sqlite, startup.medianMs.redis) < 400)} |`);
if (lateness) line(`| scheduler lateness, ${lateness.bridges} bridges, ${lateness.ticks} ticks (p50 / p99 / max) | ${lateness.p50Ms} / ${lateness.p99Ms} / ${lateness.maxMs} ms | p99 < 20 ms | ${verdict(lateness.p99Ms < 20)} |`);

const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}`, loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10) };
line('');
line(`machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, load average ${machine.loadAverage.join(' ')}`);
const out = fileURLToPath(new URL('../../bench/results.json', import.meta.url));
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), delayMs, quick, full, machine, latency, events, published, scale1000, scale10k, copies, lateness, fleet, startup }, null, 2)}\n`);
line(`written: bench/results.json`);
