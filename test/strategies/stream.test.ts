/** stream:<command line> — the adapter with real processes, then the Python example through the built CLI. */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { safeDecide } from '../../src/strategy/safe-decide.js';
import { StrategyLoadError } from '../../src/strategy/load-strategy.js';
import { create } from '../../strategies/stream.js';
import { bookOf, bridgeEnv, jsonLines, killStrays, makeWorkspace, ownSim, removeWorkspaces, spawnCli, tickLines } from '../e2e/helpers.js';
import { PY_EXAMPLE, PY_PRICES, readPid, removeTempDirs, strategyOptions, tempDir, tickContext, TRACKED, waitGone } from './helpers.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
  removeTempDirs();
});

/** Starts a stream strategy, collects the arrivals it announces, and stops it when the test ends. */
async function started(commandLine: string, settings: Record<string, string> = {}, onTestFinished: (fn: () => Promise<void>) => void) {
  const options = strategyOptions(`stream:${commandLine}`, settings);
  const strategy = create(options);
  const arrivals: number[] = [];
  strategy.onSignal?.((at) => arrivals.push(at));
  await strategy.start?.();
  onTestFinished(() => strategy.close?.() ?? Promise.resolve());
  const until = async (test: () => boolean) => {
    for (let i = 0; i < 500 && !test(); i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(test()).toBe(true);
  };
  return { strategy, options, arrivals, until };
}

describe('stream: lines', () => {
  it('each valid line is announced; a line that is not a signal and a blank line change nothing', async ({ onTestFinished }) => {
    const { strategy, options, arrivals, until } = await started(`printf 'BUY\\n\\nhello\\n{"signal":"SELL","volume":2}\\n'; exec sleep 60`, {}, onTestFinished);
    await until(() => arrivals.length === 2);
    const tick = tickContext(options.logs, { time: new Date(arrivals[1]!) });
    expect(await safeDecide(strategy, tick, { timeoutMs: 1000 })).toEqual({ side: 'SELL', volume: 2 });
    expect(options.logs.find('stream strategy: a line that is not a signal was ignored')).toHaveLength(1);
  });

  it('a heartbeat tick acts on the latest line while its process runs; once it has ended, a tracked trade is kept', async ({ onTestFinished }) => {
    const dir = tempDir('stream-down');
    const { strategy, options, arrivals, until } = await started(`echo $$ > ${dir}/pid; echo SELL; exec sleep 60`, { BRIDGE_STREAM_RESTART_MS: '600000' }, onTestFinished);
    await until(() => arrivals.length === 1);
    const heartbeat = () => safeDecide(strategy, tickContext(options.logs, { tracked: TRACKED }), { timeoutMs: 1000 });
    expect(await heartbeat()).toEqual({ side: 'SELL' });
    const pid = await readPid(path.join(dir, 'pid'));
    process.kill(pid, 'SIGKILL');
    await until(() => options.logs.find('stream strategy: the process was ended by SIGKILL; restarting (the position is kept meanwhile)').length === 1);
    expect(await waitGone(pid)).toBe(true);
    await expect(heartbeat()).rejects.toThrow(/no longer running: keeping trade 746805590705/);
    // The tick that the line itself started still acts on it.
    expect(await safeDecide(strategy, tickContext(options.logs, { time: new Date(arrivals[0]!), tracked: TRACKED }), { timeoutMs: 1000 })).toEqual({ side: 'SELL' });
  });

  it('before its first line the bridge has no opinion: nothing without a trade, the trade kept with one', async ({ onTestFinished }) => {
    const { strategy, options } = await started('exec sleep 60', {}, onTestFinished);
    expect(await safeDecide(strategy, tickContext(options.logs), { timeoutMs: 1000 })).toEqual({ side: null });
    await expect(safeDecide(strategy, tickContext(options.logs, { tracked: TRACKED }), { timeoutMs: 1000 })).rejects.toThrow(/printed no signal yet: keeping trade/);
  });

  it('close stops the process', async ({ onTestFinished }) => {
    const dir = tempDir('stream-close');
    const { strategy } = await started(`echo $$ > ${dir}/pid; exec sleep 60`, {}, onTestFinished);
    const pid = await readPid(path.join(dir, 'pid'));
    await strategy.close?.();
    expect(await waitGone(pid)).toBe(true);
  });

  it.each([
    ['stream:', {}, /stream: needs a command line/],
    ['stream:cat', { BRIDGE_STREAM_RESTART_MS: '5' }, /BRIDGE_STREAM_RESTART_MS: expected a whole number of ms, 10 to 600000/],
    ['stream:cat', { BRIDGE_COMMAND_ENV: 'ALGOGENE_API_KEY' }, /BRIDGE_COMMAND_ENV: ALGOGENE_API_KEY is the bridge's own configuration/],
  ])('%s with %j is refused: %s', (spec, settings, message) => {
    expect(() => create(strategyOptions(spec, settings as Record<string, string>))).toThrow(StrategyLoadError);
    expect(() => create(strategyOptions(spec, settings as Record<string, string>))).toThrow(message);
  });
});

describe('stream: the Python example in its streaming loop', () => {
  it('publishes its order at once through run, with takeProfit and stopLoss', async (ctx) => {
    const sim = await ownSim(ctx, { seed: 41 });
    const ws = makeWorkspace('stream-py');
    const env = bridgeEnv(sim, ws, { BRIDGE_STRATEGY: `stream:python3 ${PY_EXAMPLE} --prices ${PY_PRICES} --stream --every 1`, BRIDGE_SCHEDULE: '* * * * *' });
    const proc = spawnCli(['run'], { env, cwd: ws.dir, killAfterMs: 30_000 });
    await proc.waitForStdout((out) => tickLines(out).some((t) => t.trigger === 'event'), 'the tick of the first line');
    proc.kill('SIGTERM');
    const r = await proc.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const tick = tickLines(r.stdout).find((t) => t.trigger === 'event');
    expect(tick).toMatchObject({ msg: 'tick', signal: 'BUY' });
    const book = bookOf(sim, ws.account);
    expect(book).toHaveLength(1);
    expect(book[0]).toMatchObject({ tradeId: tick!.opened, buysell: 'BUY' });
    // The example's levels: 2 % above and 1 % below the last close of its CSV, for a BUY.
    expect(book[0]!.takeProfitLevel).toBeGreaterThan(book[0]!.stopLossLevel);
    expect(book[0]!.takeProfitLevel / book[0]!.stopLossLevel).toBeCloseTo(1.02 / 0.99, 3);
    expect(jsonLines(r.stdout).filter((l) => l.msg === 'stream strategy: process started')).toHaveLength(1);
  });
});
