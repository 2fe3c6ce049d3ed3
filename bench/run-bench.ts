import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureCopies, measureFanOut } from './measure-fan-out.js';
import { measureFleet } from './measure-fleet.js';
import { measureLatency } from './measure-latency.js';
import { measureLateness } from './measure-lateness.js';
import { measurePublishedWay } from './measure-published-way.js';

// npm run bench [-- --delay-ms 50 --quick]. Prints a table and writes bench/results.json.
const { values } = parseArgs({ options: { 'delay-ms': { type: 'string', default: '50' }, quick: { type: 'boolean', default: false }, 'fleet-bridges': { type: 'string', default: '10000' } } });
const delayMs = Number(values['delay-ms']);
const quick = values.quick === true;
const line = (text: string) => process.stdout.write(`${text}\n`);

line(`signal-bridge bench: simulator delay ${delayMs} ms per request${quick ? ' (quick)' : ''}`);
const latency = await measureLatency(delayMs, 20);
const published = await measurePublishedWay(delayMs, 20);
const fanOut = [];
for (const n of quick ? [1, 100] : [1, 100, 1000]) fanOut.push(await measureFanOut(n, delayMs));
const copies = [];
for (const n of quick ? [1, 10] : [1, 10, 100]) copies.push(await measureCopies(n, delayMs));
const lateness = await measureLateness(quick ? 15 : 60, 100, delayMs);
const fleet = await measureFleet(quick ? 300 : Number(values['fleet-bridges']), delayMs).catch((error: Error) => ({ error: error.message }));

const targets = {
  latencyMs: 2 * delayMs + 10,
  fanOut1000Ms: 4000,
  fanOut1000RssMb: 250,
  latenessP99Ms: 20,
};
const fan1000 = fanOut.find((f) => f.bridges === 1000);
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : 'MISSED');

line('');
line('| measure | result | target |');
line('|---|---|---|');
line(`| signal-to-order latency, bridge (median / p95, ${latency.ticks} ticks) | ${latency.medianMs} / ${latency.p95Ms} ms | <= ${targets.latencyMs} ms: ${verdict(latency.p95Ms <= targets.latencyMs)} |`);
line(`| new TCP connections per tick, bridge (after the first tick) | ${latency.newConnectionsPerTick} (first tick: ${latency.firstTickNewConnections}) | 0: ${verdict(latency.newConnectionsPerTick === 0)} |`);
line(`| the published example's tick (median / p95) | ${published.medianMs} / ${published.p95Ms} ms | |`);
line(`| new TCP connections per tick, published example | ${published.newConnectionsPerTick} | |`);
line(`| published example / bridge (median) | ${(published.medianMs / latency.medianMs).toFixed(2)}x | |`);
for (const f of fanOut) {
  const target = f.bridges === 1000 ? `<= ${targets.fanOut1000Ms} ms, < ${targets.fanOut1000RssMb} MB: ${verdict(f.wallMs <= targets.fanOut1000Ms && f.peakRssMb < targets.fanOut1000RssMb)}` : '';
  line(`| one tick, ${f.bridges} bridge(s) in one process: all acknowledged / peak RSS | ${f.wallMs} ms (${f.acknowledged} acks) / ${f.peakRssMb} MB | ${target} |`);
}
for (const c of copies) line(`| one tick, ${c.copies} one-bridge process(es) (once): wall / sum of peak RSS | ${c.wallMs} ms (${c.succeeded} ok) / ${c.sumPeakRssMb} MB | |`);
line(`| scheduler lateness, ${lateness.bridges} bridges, ${lateness.ticks} ticks (p50 / p99 / max) | ${lateness.p50Ms} / ${lateness.p99Ms} / ${lateness.maxMs} ms | p99 < ${targets.latenessP99Ms} ms: ${verdict(lateness.p99Ms < targets.latenessP99Ms)} |`);
line('error' in fleet ? `| fleet | not measured: ${fleet.error} | |` : `| one tick, ${fleet.bridges} bridges over ${fleet.instances} fleet instances (Redis): scheduled second to last ack / shares / peak RSS per instance | ${fleet.lastAckMs} ms / ${fleet.shares.join(', ')} / ${fleet.peakRssMb.join(', ')} MB | |`);

const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
line('');
line(`machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}`);
const out = fileURLToPath(new URL('../../bench/results.json', import.meta.url));
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), delayMs, quick, machine, targets, latency, published, fanOut, copies, lateness, fleet }, null, 2)}\n`);
line(`written: bench/results.json`);
