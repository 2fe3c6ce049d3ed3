/**
 * A fleet of built CLIs (`run` with BRIDGE_FLEET) on the real Redis against one simulator, and the oracle of what
 * it did: who ticked which (bridge, scheduled moment) from each process's tick lines (bridge, scheduledAt), the
 * orders from the simulator's books. Shared by the short fleet test and the chaos one.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { startSimulator, type Simulator, type TradeSnapshot } from '../../src/sim/index.js';
import { bridgeEnv, jsonLines, makeWorkspace, runCli, spawnCli, tickLines, type CliProcess, type Env, type Workspace } from '../e2e/helpers.js';
import { ledgerOf } from '../helpers/ledger.js';

export const ALTERNATE_SIGNAL = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../fixtures/alternate-signal.mjs');

export interface Instance {
  readonly n: number;
  readonly proc: CliProcess;
  readonly startedAt: number;
  endedAt?: number;
  how: 'running' | 'killed' | 'stopped';
}

/** Something that changed the fleet's members, for the report and to find the steady stretches. */
export interface FleetEvent {
  readonly at: number;
  readonly what: 'start' | 'kill -9' | 'SIGTERM';
  readonly instance: number;
}

export interface FleetReport {
  /** Distinct (bridge, moment) pairs ticked. */
  readonly ticked: number;
  /** (bridge, moment) pairs with a tick line in more than one process. */
  readonly twice: string[];
  readonly failedTicks: number;
  readonly failures: string[];
  /** Journal writes that failed (two writers on one bridge's chain would show here). */
  readonly journalFailures: string[];
  /** Events an instance did not journal because the bridge was no longer its own (logged, not failures). */
  readonly journalDropped: string[];
  /** The largest gap between two ticks of one bridge, in ms, and the event just before it. */
  readonly maxGapMs: number;
  readonly maxGapAfter?: FleetEvent;
  /** The largest gap that spans a kill -9 (the dead instance's bridges waiting for its lease), per kill. */
  readonly gapsAfterKills: { killedAt: string; maxGapMs: number }[];
  /** Per steady moment (no event in the window before it): each live instance's share of the ticks, as a ratio to even. */
  readonly steadyMoments: number;
  readonly shareRange: [number, number];
  readonly unevenMoments: string[];
}

export interface FleetHarness {
  readonly sim: Simulator;
  readonly ws: Workspace;
  readonly env: Env;
  readonly ids: readonly string[];
  readonly instances: Instance[];
  readonly events: FleetEvent[];
  /** Starts one more instance; `extra` adds to (or overrides) its environment. */
  start(extra?: Env): Instance;
  kill(instance: Instance): Promise<void>;
  stop(instance: Instance): Promise<void>;
  live(): Instance[];
  report(steadyAfterMs: number): FleetReport;
  /** After every instance stopped: the store agrees with the server for every bridge, then `close` leaves nothing open. */
  expectNothingLost(): Promise<{ trades: number; doubled: string[] }>;
  close(): Promise<void>;
}

export async function startFleetHarness(options: { bridges: number; label: string; schedule?: string }): Promise<FleetHarness> {
  const sim = await startSimulator({ fillDelayS: 0 });
  const ws = makeWorkspace(options.label);
  const tag = `${options.label}-${randomUUID().slice(0, 8)}`;
  const ids = Array.from({ length: options.bridges }, (_, i) => `${tag}-${i}`);
  const file = path.join(ws.dir, 'bridges.json');
  writeFileSync(file, JSON.stringify({ defaults: { strategy: ALTERNATE_SIGNAL, schedule: options.schedule ?? '* * * * * *' }, bridges: ids.map((id) => ({ id, account: `${ws.account}-${id}` })) }));
  const env: Env = { ...bridgeEnv(sim, ws), ALGOGENE_ACCOUNT_ID: undefined, BRIDGE_CONFIG: file, BRIDGE_STORE: 'redis://127.0.0.1:6379', BRIDGE_FLEET: tag, BRIDGE_HTTP_TIMEOUT_MS: '3000', BRIDGE_HTTP_PORT: '0' };
  const instances: Instance[] = [];
  const events: FleetEvent[] = [];

  const bookOfBridge = (id: string): TradeSnapshot[] => sim.books().filter((t) => t.accountid === `${ws.account}-${id}`);

  return {
    sim,
    ws,
    env,
    ids,
    instances,
    events,
    start(extra = {}) {
      const n = instances.length;
      const instance: Instance = { n, proc: spawnCli(['run'], { env: { ...env, ...extra }, cwd: ws.dir, killAfterMs: 3_600_000 }), startedAt: Date.now(), how: 'running' };
      instances.push(instance);
      events.push({ at: instance.startedAt, what: 'start', instance: n });
      return instance;
    },
    async kill(instance) {
      events.push({ at: Date.now(), what: 'kill -9', instance: instance.n });
      instance.proc.kill('SIGKILL');
      instance.how = 'killed';
      await instance.proc.exited.catch(() => undefined);
      instance.endedAt = Date.now();
    },
    async stop(instance) {
      events.push({ at: Date.now(), what: 'SIGTERM', instance: instance.n });
      instance.proc.kill('SIGTERM');
      instance.how = 'stopped';
      const r = await instance.proc.exited;
      instance.endedAt = Date.now();
      expect(r.code, `instance ${instance.n} stopped with ${r.code}\n${r.stderr}`).toBe(0);
    },
    live: () => instances.filter((i) => i.how === 'running'),
    report(steadyAfterMs) {
      const by = new Map<string, Set<number>>();
      const perMoment = new Map<number, Map<number, number>>();
      const failures: string[] = [];
      let failedTicks = 0;
      for (const instance of instances) {
        for (const line of tickLines(instance.proc.stdout())) {
          if (line.msg !== 'tick') {
            failedTicks += 1;
            failures.push(`${instance.n} ${line.bridge} ${line.scheduledAt}: ${line.error}`);
          }
          const key = `${line.bridge} ${line.scheduledAt}`;
          by.set(key, (by.get(key) ?? new Set()).add(instance.n));
        }
        // A share is what an instance was responsible for: its ticks, and the moments it had to skip or refuse
        // (a tick still running on a loaded machine, a lease found lost at the tick's start).
        for (const line of jsonLines(instance.proc.stdout())) {
          if (typeof line.scheduledAt !== 'string' || typeof line.bridge !== 'string' || !/^tick/.test(String(line.msg))) continue;
          const at = Date.parse(line.scheduledAt);
          const counts = perMoment.get(at) ?? new Map<number, number>();
          counts.set(instance.n, (counts.get(instance.n) ?? 0) + 1);
          perMoment.set(at, counts);
        }
      }
      const twice = [...by].filter(([, who]) => who.size > 1).map(([key, who]) => `${key} by ${[...who].join(',')}`);
      // Gaps: per bridge, between consecutive ticked moments.
      const moments = new Map<string, number[]>();
      for (const key of by.keys()) {
        const [bridge, at] = key.split(' ') as [string, string];
        moments.set(bridge, [...(moments.get(bridge) ?? []), Date.parse(at)]);
      }
      let maxGapMs = 0;
      let maxGapAt = 0;
      for (const list of moments.values()) {
        list.sort((a, b) => a - b);
        for (let i = 1; i < list.length; i += 1) {
          const gap = (list[i] as number) - (list[i - 1] as number);
          if (gap > maxGapMs) [maxGapMs, maxGapAt] = [gap, list[i - 1] as number];
        }
      }
      const maxGapAfter = [...events].reverse().find((e) => e.at <= maxGapAt + 1_000);
      const gapsAfterKills = events
        .filter((e) => e.what === 'kill -9')
        .map((kill) => {
          let worst = 0;
          for (const list of moments.values()) {
            for (let i = 1; i < list.length; i += 1) {
              if ((list[i - 1] as number) <= kill.at && (list[i] as number) > kill.at) worst = Math.max(worst, (list[i] as number) - (list[i - 1] as number));
            }
          }
          return { killedAt: new Date(kill.at).toISOString(), maxGapMs: worst };
        });
      // Shares, at moments with no event in the `steadyAfterMs` before them and the fleet fully started.
      // An instance counts from the moment it joined (its first view of the members), not from its spawn: a
      // process start takes seconds on a loaded machine. Moments just before a kill or stop lose their log lines.
      const joinedAt = new Map(
        instances.map((i) => [i.n, jsonLines(i.proc.stdout()).find((l) => l.msg === 'fleet: members changed')?.time ?? Number.POSITIVE_INFINITY] as const),
      );
      const changes = [
        ...[...joinedAt.values()].filter(Number.isFinite).map((at) => ({ at, before: 0 })),
        ...events.filter((e) => e.what !== 'start').map((e) => ({ at: e.at, before: 2_000 })),
      ];
      let steadyMoments = 0;
      let range: [number, number] = [Number.POSITIVE_INFINITY, 0];
      const unevenMoments: string[] = [];
      const lastMoment = Math.max(...perMoment.keys());
      for (const [at, counts] of perMoment) {
        if (changes.some((c) => at - c.at > -c.before && at - c.at < steadyAfterMs) || at >= lastMoment - 1_000) continue;
        const liveThen = instances.filter((i) => (joinedAt.get(i.n) as number) < at && (i.endedAt === undefined || i.endedAt > at)).map((i) => i.n);
        if (liveThen.length === 0) continue;
        steadyMoments += 1;
        const even = ids.length / liveThen.length;
        for (const n of liveThen) {
          const ratio = (counts.get(n) ?? 0) / even;
          range = [Math.min(range[0], ratio), Math.max(range[1], ratio)];
          if (ratio < 0.8 || ratio > 1.2) unevenMoments.push(`${new Date(at).toISOString()}: instance ${n} ran ${counts.get(n) ?? 0} of ${ids.length} with ${liveThen.length} live`);
        }
      }
      const journalFailures = instances.flatMap((i) => jsonLines(i.proc.stdout()).filter((l) => l.module === 'journal' && l.level >= 50).map((l) => `${i.n} ${l.bridge}: ${l.error}`));
      const journalDropped = instances.flatMap((i) => jsonLines(i.proc.stdout()).filter((l) => l.module === 'journal' && /^journal: event dropped/.test(String(l.msg))).map((l) => `${i.n} ${l.bridge}: ${(l.event as { type?: string } | undefined)?.type}`));
      return { journalFailures, journalDropped, ticked: by.size, twice, failedTicks, failures, maxGapMs, maxGapAfter, gapsAfterKills, steadyMoments, shareRange: range, unevenMoments };
    },
    async expectNothingLost() {
      const status = await runCli(['status', '--json'], { env, cwd: ws.dir, killAfterMs: 120_000 });
      expect(status.code, status.stderr).toBe(0);
      const doc = JSON.parse(status.stdout) as { bridges: { id: string; tracked: { trade: { tradeId: string; status?: string }; server: { where: string } }[]; pendingIntents: number }[] };
      for (const bridge of doc.bridges) {
        const live = bookOfBridge(bridge.id).filter((t) => t.state === 'open' || t.state === 'pending').map((t) => t.tradeId).sort();
        expect(bridge.pendingIntents, `orders in doubt for ${bridge.id}`).toBe(0);
        // On a disagreement, what every instance said of that bridge (moves, ticks, trades) tells how it came about.
        const story = () =>
          instances
            .flatMap((i) => i.proc.stdout().split('\n').filter((l) => l.includes(`"${bridge.id}"`) || l.includes(`"bridge":"${bridge.id}"`)).map((l) => `${i.n} ${l}`))
            .filter((l) => !l.includes('"msg":"api call"'))
            .slice(-60)
            .join('\n');
        // A trade whose close was submitted stays tracked ('closing') until a look-up shows it closed: a stop
        // right after a tick leaves one, which the next tick (or close) forgets.
        const tracked = bridge.tracked.filter((t) => !(t.trade.status === 'closing' && t.server.where === 'closed')).map((t) => t.trade.tradeId).sort();
        if (tracked.join() !== live.join()) expect(tracked, `tracked vs live on the account for ${bridge.id}\n${story()}`).toEqual(live);
      }
      // Each bridge's journal chain was written by whichever instance held it, one after another: intact.
      const verified = await runCli(['journal', 'verify'], { env, cwd: ws.dir, killAfterMs: 120_000 });
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      const closed = await runCli(['close'], { env, cwd: ws.dir, killAfterMs: 120_000 });
      expect(closed.code, closed.stdout + closed.stderr).toBe(0);
      let trades = 0;
      const doubled: string[] = [];
      for (const id of ids) {
        const ledger = ledgerOf(bookOfBridge(id), id);
        trades += ledger.trades;
        doubled.push(...ledger.doubled);
        expect(ledger.live.map((t) => `${t.tradeId} ${t.orderRef}`), `trades left open for ${id} (lost)`).toEqual([]);
        expect(ledger.foreign.map((t) => t.orderRef), `orders of another bridge on ${id}'s account`).toEqual([]);
      }
      return { trades, doubled };
    },
    async close() {
      for (const instance of instances) if (instance.how === 'running') instance.proc.kill('SIGKILL');
      await sim.close();
    },
  };
}

/** Every fleet line of every instance, for a failing test's message. */
export function fleetLines(harness: FleetHarness): string {
  return harness.instances
    .flatMap((i) => jsonLines(i.proc.stdout()).filter((l) => l.module === 'fleet' || l.level >= 40).map((l) => `${i.n} ${JSON.stringify(l)}`))
    .join('\n');
}
