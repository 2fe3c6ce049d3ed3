/**
 * Event-driven ticks, end to end: the built CLI `run` against the simulator over real sockets, on a
 * schedule of once a minute, so that only the event can explain an order within the test.
 */
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { waitGone } from '../strategies/helpers.js';
import { bookOf, bridgeEnv, jsonLines, killStrays, makeWorkspace, ownSim, removeWorkspaces, spawnCli, tickLines, type LogLine } from './helpers.js';

const EVERY_MINUTE = '* * * * *';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

const eventTicks = (stdout: string): LogLine[] => tickLines(stdout).filter((t) => t.trigger === 'event');

/** Writes `text` to `file` the way a strategy should: a temporary file in the same folder, renamed over it. */
function replaceFile(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.tmp-${process.hrtime.bigint()}`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

describe.concurrent('event-driven ticks', () => {
  it('a signal file renamed into place produces exactly one order at once; rewriting the same side keeps it', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 21 });
    const ws = makeWorkspace('ev-file');
    const file = path.join(ws.dir, 'signal.txt');
    replaceFile(file, 'NONE\n');
    const env = bridgeEnv(sim, ws, { BRIDGE_STRATEGY: `file:${file}`, BRIDGE_SCHEDULE: EVERY_MINUTE });
    const proc = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: 40_000 });
    await proc.waitForStdout((out) => jsonLines(out).some((l) => l.msg === 'signal-bridge running'), 'start-up');

    replaceFile(file, 'BUY\n');
    await proc.waitForStdout((out) => eventTicks(out).length >= 1, 'the tick of the renamed file');
    // The same side again: a new version of the file, and a tick that keeps the trade.
    replaceFile(file, '{"signal":"BUY"}\n');
    await proc.waitForStdout((out) => eventTicks(out).length >= 2, 'the tick of the rewritten file');
    proc.kill('SIGTERM');
    const r = await proc.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);

    const ticks = eventTicks(r.stdout);
    expect(ticks[0]).toMatchObject({ msg: 'tick', signal: 'BUY', closed: [] });
    expect(ticks[1]).toMatchObject({ msg: 'tick', signal: 'BUY', closed: [] });
    expect(ticks[1]!.opened).toBeUndefined();
    const book = bookOf(sim, ws.account);
    expect(book).toHaveLength(1);
    expect(book[0]).toMatchObject({ tradeId: ticks[0]!.opened, buysell: 'BUY', state: 'open' });
  });

  it('a webhook POST produces exactly one order at once; a repeated alert keeps the trade', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 20 });
    const ws = makeWorkspace('ev-webhook');
    const secret = 'events-webhook-secret-0123456789';
    // Policy reopen as configured: an event-driven bridge holds anyway.
    const env = bridgeEnv(sim, ws, { BRIDGE_STRATEGY: 'webhook', BRIDGE_WEBHOOK_SECRET: secret, BRIDGE_HTTP_PORT: String(await freePort()), BRIDGE_SCHEDULE: EVERY_MINUTE });
    const proc = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: 40_000 });
    const serving = jsonLines(await proc.waitForStdout((out) => out.includes('http: serving'), 'the HTTP server')).find((l) => typeof l.msg === 'string' && l.msg.startsWith('http: serving'));
    const post = async (body: string) => {
      const response = await fetch(`${serving!.url as string}/signal`, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body });
      expect(response.status).toBe(202);
    };
    await post('BUY');
    await proc.waitForStdout((out) => eventTicks(out).length >= 1, 'the tick of the POST');
    await post('{"signal":"BUY"}');
    await proc.waitForStdout((out) => eventTicks(out).length >= 2, 'the tick of the repeated alert');
    proc.kill('SIGTERM');
    const r = await proc.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);

    const ticks = eventTicks(r.stdout);
    expect(ticks[0]).toMatchObject({ msg: 'tick', signal: 'BUY', closed: [] });
    expect(ticks[1]).toMatchObject({ msg: 'tick', signal: 'BUY', closed: [] });
    expect(ticks[1]!.opened).toBeUndefined();
    expect(bookOf(sim, ws.account).map((t) => [t.tradeId, t.buysell, t.state])).toEqual([[ticks[0]!.opened, 'BUY', 'open']]);
  });

  it('a stream line produces exactly one order at once; a burst of 10 lines gives at most 2 ticks and ends on the last side', async (ctx) => {
    // 500 ms a call: a tick that closes and opens takes over a second, longer than the whole burst.
    const sim = await ownSim(ctx, { seed: 22, delayMs: 500 });
    const ws = makeWorkspace('ev-stream');
    const fifo = path.join(ws.dir, 'lines');
    // The strategy prints whatever the test appends to a file, as it is appended (tail -f).
    writeFileSync(fifo, '');
    const env = bridgeEnv(sim, ws, { BRIDGE_STRATEGY: `stream:tail -n +1 -f ${fifo}`, BRIDGE_SCHEDULE: EVERY_MINUTE });
    const proc = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: 40_000 });
    await proc.waitForStdout((out) => jsonLines(out).some((l) => l.msg === 'stream strategy: process started'), 'the stream process');

    writeFileSync(fifo, 'BUY\n', { flag: 'a' });
    await proc.waitForStdout((out) => eventTicks(out).length >= 1, 'the tick of the first line');
    expect(bookOf(sim, ws.account)).toHaveLength(1);

    // From BUY held: the first of the burst flips to SELL, the last flips back to BUY.
    const burst = ['SELL', 'BUY', 'SELL', 'BUY', 'SELL', 'BUY', 'SELL', 'SELL', 'SELL', 'BUY'];
    // Ten signals, one append each, back to back: well within a second, and within the first tick.
    for (const side of burst) writeFileSync(fifo, `${side}\n`, { flag: 'a' });
    await proc.waitForStdout((out) => eventTicks(out).length >= 3 || (eventTicks(out).length >= 2 && eventTicks(out).at(-1)?.signal === 'BUY'), 'the burst\'s ticks');
    // Settle: no further tick is on its way.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    proc.kill('SIGTERM');
    const r = await proc.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);

    const ticks = eventTicks(r.stdout);
    expect(ticks[0]).toMatchObject({ msg: 'tick', signal: 'BUY', closed: [] });
    const burstTicks = ticks.slice(1);
    expect(burstTicks.length).toBeGreaterThanOrEqual(1);
    // At most two ticks send orders: the first, and one for all that came during it. tail hands the
    // lines over a few at a time; a tick whose answer is the side already held sends nothing and
    // ends in a millisecond, so the next few lines can start another (empty) tick: investors see no
    // order from it. A line heard before a tick asked the strategy never starts one of its own.
    const acting = burstTicks.filter((t) => (t.closed as unknown[]).length > 0 || t.opened !== undefined);
    expect(acting.length).toBeLessThanOrEqual(2);
    expect(burstTicks.length).toBeLessThan(burst.length);
    expect(burstTicks.at(-1)).toMatchObject({ signal: 'BUY' });
    const live = bookOf(sim, ws.account).filter((t) => t.state === 'open');
    expect(live.map((t) => t.buysell)).toEqual(['BUY']);
    expect(tickLines(r.stdout).filter((t) => t.trigger !== 'event')).toEqual([]);
  });

  it('a stream strategy that crashes is restarted and publishes again', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 23 });
    const ws = makeWorkspace('ev-crash');
    const count = path.join(ws.dir, 'starts');
    const go = path.join(ws.dir, 'go');
    // First start: BUY once the test says go, then a crash. Second start: SELL, then it keeps running.
    const script = `n=$(( $(cat ${count} 2>/dev/null || echo 0) + 1 )); echo $n > ${count}; if [ $n -eq 1 ]; then while [ ! -e ${go} ]; do sleep 0.02; done; echo BUY; sleep 0.3; echo boom >&2; exit 3; fi; echo SELL; exec sleep 600`;
    const env = bridgeEnv(sim, ws, { BRIDGE_STRATEGY: `stream:${script}`, BRIDGE_SCHEDULE: EVERY_MINUTE, BRIDGE_STREAM_RESTART_MS: '200' });
    const proc = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: 40_000 });
    // Signals that arrive before the worker listens collapse into the latest: start once it listens.
    await proc.waitForStdout((out) => jsonLines(out).some((l) => typeof l.msg === 'string' && l.msg.startsWith('worker started')), 'the worker');
    writeFileSync(go, '');
    await proc.waitForStdout((out) => eventTicks(out).length >= 2, 'a tick from each start');
    proc.kill('SIGTERM');
    const r = await proc.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);

    const lines = jsonLines(r.stdout);
    expect(lines.some((l) => typeof l.msg === 'string' && l.msg.startsWith('stream strategy: the process exited with code 3; restarting'))).toBe(true);
    expect(lines.some((l) => l.stderr === 'boom')).toBe(true);
    const ticks = eventTicks(r.stdout);
    expect(ticks.map((t) => t.signal)).toEqual(['BUY', 'SELL']);
    expect(ticks[1]!.closed).toEqual([ticks[0]!.opened]);
    expect(bookOf(sim, ws.account).map((t) => [t.buysell, t.state])).toEqual([
      ['BUY', 'closed'],
      ['SELL', 'open'],
    ]);
  });
});

describe.concurrent('no strategy process outlives the bridge', () => {
  // The stream prints its pid, and starts a child that calls setsid (leaving the process group) and prints its own.
  const streamWithEscapee = (dir: string) =>
    `stream:echo $$ > ${dir}/main.pid; setsid sh -c 'echo $$ > ${dir}/escapee.pid; exec sleep 600' & echo NONE; exec sleep 600`;

  for (const how of ['SIGTERM', 'SIGKILL'] as const) {
    it(`after ${how} of run: the stream process and a child that called setsid are gone`, async (ctx) => {
      const sim = await ownSim(ctx, { seed: 24 });
      const ws = makeWorkspace(`ev-stop-${how}`);
      const env = bridgeEnv(sim, ws, { BRIDGE_STRATEGY: streamWithEscapee(ws.dir), BRIDGE_SCHEDULE: EVERY_MINUTE, BRIDGE_COMMAND_KILL_GRACE_MS: '500' });
      const proc = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: 40_000 });
      await proc.waitForStdout((out) => jsonLines(out).some((l) => l.msg === 'stream strategy: signal received'), 'the first line');
      const { readPid } = await import('../strategies/helpers.js');
      const main = await readPid(path.join(ws.dir, 'main.pid'));
      const escapee = await readPid(path.join(ws.dir, 'escapee.pid'));
      expect(await waitGone(main, 200)).toBe(false);
      expect(await waitGone(escapee, 200)).toBe(false);
      proc.kill(how);
      const r = await proc.exited;
      if (how === 'SIGTERM') expect(r.code, r.stdout + r.stderr).toBe(0);
      else expect(r.signal).toBe('SIGKILL');
      expect(await waitGone(main), 'the stream process').toBe(true);
      expect(await waitGone(escapee), 'its setsid child').toBe(true);
    });
  }
});
