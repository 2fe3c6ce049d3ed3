/**
 * Fleet mode end to end, short: three built `run` processes share 12 bridges on a seconds schedule (the real Redis,
 * the simulator): two start together, a third joins, one is killed with SIGKILL, one stops with SIGTERM. Every
 * (bridge, moment) that was ticked was ticked by one instance only, no orderRef reached the server twice, nothing
 * is lost, and once settled each live instance runs an even share. Gaps are measured and printed, not asserted.
 */
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, killStrays, removeWorkspaces, runCli, tickLines } from '../e2e/helpers.js';
import { fleetLines, startFleetHarness } from './fleet-harness.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

describe('run --fleet', () => {
  it('three instances share 12 bridges through a join, a kill -9 and a SIGTERM: each moment ticked once, nothing lost', async () => {
    const fleet = await startFleetHarness({ bridges: 12, label: 'fleet-short' });
    try {
      const [a, b] = [fleet.start(), fleet.start()];
      await sleep(6_000);
      const c = fleet.start();
      await sleep(10_000);
      // status names the fleet's three members and, for every bridge, the instance that runs it.
      const status = await runCli(['status', '--json'], { env: fleet.env, cwd: fleet.ws.dir });
      expect(status.code, status.stderr).toBe(0);
      const doc = JSON.parse(status.stdout) as { bridges: { id: string; runBy: { pid: number } | null }[]; fleet: { members: { pid: number; holds: number }[] } };
      const pids = [a, b, c].map((i) => i.proc.child.pid).sort();
      expect(doc.fleet.members.map((m) => m.pid).sort()).toEqual(pids);
      expect(doc.bridges.map((x) => x.id).sort()).toEqual([...fleet.ids].sort());
      for (const bridge of doc.bridges) expect(pids, `runner of ${bridge.id}`).toContain(bridge.runBy?.pid);
      await fleet.kill(a);
      await sleep(17_000);
      await fleet.stop(b);
      await sleep(4_000);
      await fleet.stop(c);

      const report = fleet.report(13_000);
      console.log(`fleet short: ${JSON.stringify({ ...report, failures: report.failures.slice(0, 5) })}`);
      expect(report.twice, `moments ticked by two instances\n${fleetLines(fleet)}`).toEqual([]);
      // A bridge's chain is written by its lease's holder only (the store refuses anyone else), and a hand-over
      // writes what is pending first: no journal write fails, none clashes with the next holder's.
      expect(report.journalFailures).toEqual([]);
      // The bridges of the killed instance were taken over with a warning that counts the moments they missed
      // (first and last): none of those moments was ticked anywhere. Only the first may have run just before the
      // kill, as the record of a bridge's last tick rides on its lease's renewals.
      const tickedAnywhere = new Set(fleet.instances.flatMap((i) => tickLines(i.proc.stdout()).map((l) => `${l.bridge} ${l.scheduledAt}`)));
      const takeOvers = fleet.instances.flatMap((i) => jsonLines(i.proc.stdout()).filter((l) => /^fleet: took over a bridge whose instance stopped/.test(String(l.msg))));
      console.log(`fleet short: ${takeOvers.length} bridges taken over from the killed instance, missed moments ${takeOvers.map((l) => l.missed).join(',')}`);
      expect(takeOvers.length).toBeGreaterThan(0);
      for (const line of takeOvers) {
        expect(line, JSON.stringify(line)).toMatchObject({ level: 40, previous: expect.stringMatching(new RegExp(`^${a.proc.child.pid}@`)), missed: expect.any(Number) });
        const [first, last] = [Date.parse(String(line.first)), Date.parse(String(line.last))];
        expect(line.missed).toBe((last - first) / 1_000 + 1);
        for (let t = first + 1_000; t <= last; t += 1_000) expect(tickedAnywhere.has(`${line.bridge} ${new Date(t).toISOString()}`), `${line.bridge} ${new Date(t).toISOString()} counted missed`).toBe(false);
      }
      // Every instance ticked, and the fleet ran most moments (the starts and the kill cost a few seconds).
      expect(fleet.instances.every((i) => i.proc.stdout().includes('"msg":"tick"'))).toBe(true);
      expect(report.ticked).toBeGreaterThan(12 * 25);
      expect(report.steadyMoments).toBeGreaterThan(0);
      expect(report.unevenMoments, fleetLines(fleet)).toEqual([]);
      const { trades, doubled } = await fleet.expectNothingLost();
      expect(doubled, 'orderRefs placed twice').toEqual([]);
      expect(trades).toBeGreaterThan(12 * 20);
    } finally {
      await fleet.close();
    }
  }, 120_000);

  it('each instance is ready (GET /readyz) with only its share of the leases, and unready for none of the others', async () => {
    const fleet = await startFleetHarness({ bridges: 4, label: 'fleet-ready' });
    try {
      const ports = [await freePort(), await freePort()];
      const [a, b] = ports.map((port) => fleet.start({ BRIDGE_HTTP_PORT: String(port), BRIDGE_HTTP_HOST: '127.0.0.1' }));
      // Both hold their two bridges: each has handed over or taken its share.
      await a!.proc.waitForStdout((out) => out.includes('"msg":"fleet: members changed"'), 'a joined');
      await b!.proc.waitForStdout((out) => out.includes('"msg":"fleet: members changed"'), 'b joined');
      let shares: number[] = [];
      for (let i = 0; i < 100 && shares.join() !== '2,2'; i += 1) {
        await sleep(200);
        const status = await runCli(['status', '--json'], { env: fleet.env, cwd: fleet.ws.dir });
        const doc = JSON.parse(status.stdout) as { bridges: { runBy: { pid: number } | null }[] };
        shares = [a, b].map((i) => doc.bridges.filter((x) => x.runBy?.pid === i!.proc.child.pid).length);
      }
      expect(shares).toEqual([2, 2]);
      for (const port of ports) {
        const reply = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(reply.status, await reply.text()).toBe(200);
      }
      // Each instance's /api/bridges names, for every bridge, the instance that runs it (this one or the other), and
      // the fleet's two members: the same answer from both.
      const pids = [a!, b!].map((i) => i.proc.child.pid);
      const runBy = new Map<string, number | undefined>();
      for (const port of ports) {
        const reply = await fetch(`http://127.0.0.1:${port}/api/bridges`);
        expect(reply.status).toBe(200);
        const doc = (await reply.json()) as { bridges: { id: string; runBy?: { pid: number; host: string; instance: string } | null }[]; fleet?: { name: string; members: { pid: number }[] } };
        expect(doc.fleet?.name).toBe(fleet.env.BRIDGE_FLEET);
        expect(doc.fleet?.members.map((m) => m.pid).sort()).toEqual([...pids].sort());
        expect(doc.bridges.map((x) => x.id).sort()).toEqual([...fleet.ids].sort());
        for (const bridge of doc.bridges) {
          expect(pids, `runner of ${bridge.id}`).toContain(bridge.runBy?.pid);
          if (runBy.has(bridge.id)) expect(bridge.runBy?.pid).toBe(runBy.get(bridge.id));
          runBy.set(bridge.id, bridge.runBy?.pid);
        }
      }
      expect([...runBy.values()].filter((pid) => pid === pids[0])).toHaveLength(2);
      // status, as text: the fleet's members, and under each bridge the process that runs it.
      const text = await runCli(['status'], { env: fleet.env, cwd: fleet.ws.dir });
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain(`fleet ${fleet.env.BRIDGE_FLEET}: 2 live instance(s)`);
      for (const pid of pids) expect(text.stdout).toMatch(new RegExp(`^  ${pid}@\\S+ \\(instance [0-9a-f-]+, since [^)]+\\): \\d+ bridge\\(s\\)$`, 'm'));
      for (const id of fleet.ids) expect(text.stdout).toMatch(new RegExp(`^bridge ${id} .*\\n  run by (${pids.join('|')})@`, 'm'));
      await fleet.stop(a!);
      await fleet.stop(b!);
    } finally {
      await fleet.close();
    }
  });

  it('refuses fleet mode without a Redis store: exit 2 naming BRIDGE_FLEET', async () => {
    const fleet = await startFleetHarness({ bridges: 2, label: 'fleet-sqlite' });
    try {
      const r = await runCli(['run', '--fleet'], { env: { ...fleet.env, BRIDGE_FLEET: undefined, BRIDGE_STORE: fleet.ws.store }, cwd: fleet.ws.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/BRIDGE_FLEET: fleet mode needs a Redis store/);
      expect(fleet.sim.requests().byPath['/open_order'] ?? 0).toBe(0);
    } finally {
      await fleet.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
