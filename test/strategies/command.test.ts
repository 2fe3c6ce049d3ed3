/** command:<command line> — unit tests through safeDecide, then the built CLI against the simulator. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { StrategyLoadError } from '../../src/strategy/load-strategy.js';
import { safeDecide } from '../../src/strategy/safe-decide.js';
import { StrategyError } from '../../src/strategy/strategy-error.js';
import { create } from '../../strategies/command.js';
import { bookOf, bridgeEnv, killStrays, liveOf, makeWorkspace, orderCalls, removeWorkspaces, runCli, tickLines } from '../e2e/helpers.js';
import { PY_EXAMPLE, PY_PRICES, readPid, removeTempDirs, strategyOptions, tempDir, tickContext, TRACKED, waitGone } from './helpers.js';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** One tick of `command:<line>` through safeDecide; the tick's timeout is small on purpose. */
async function decide(line: string, settings: Record<string, string> = {}, ctx: Parameters<typeof tickContext>[1] = {}, env?: Record<string, string | undefined>) {
  const options = strategyOptions(`command:${line}`, settings, env ? { env } : {});
  const strategy = create(options);
  const result = await safeDecide(strategy, tickContext(options.logs, ctx), { timeoutMs: 2000, maxVolume: undefined }).then(
    (signal) => ({ signal, error: undefined }),
    (error: unknown) => ({ signal: undefined, error: error as StrategyError }),
  );
  return { ...result, logs: options.logs };
}

afterAll(() => removeTempDirs());

describe('command: answers', () => {
  it('reads a word from stdout', async () => {
    expect((await decide('echo BUY')).signal).toEqual({ side: 'BUY' });
    expect((await decide('echo "  sell  "')).signal).toEqual({ side: 'SELL' });
    expect((await decide('echo NONE')).signal).toEqual({ side: null });
    expect((await decide('true')).signal).toEqual({ side: null });
  });

  it('reads the JSON signal: side, volume, takeProfit, stopLoss, comment', async () => {
    const { signal } = await decide(`printf '%s\\n' '{"signal":"SELL","volume":2.5,"takeProfit":29000,"stopLoss":31000.5,"comment":"x"}'`);
    expect(signal).toEqual({ side: 'SELL', volume: 2.5, takeProfit: 29000, stopLoss: 31000.5, comment: 'x' });
  });

  it('never reads stderr as the signal, and logs it', async () => {
    const { signal, logs } = await decide('echo BUY >&2; echo "a warning" >&2');
    expect(signal).toEqual({ side: null });
    const line = logs.find('strategy command wrote to stderr')[0];
    expect(line?.stderr).toBe('BUY\na warning');
  });

  it('logs a truncated stderr of a chatty command', async () => {
    const { signal, logs } = await decide(`head -c 100000 /dev/zero | tr '\\0' x >&2; echo SELL`);
    expect(signal).toEqual({ side: 'SELL' });
    const stderr = logs.find('strategy command wrote to stderr')[0]?.stderr as string;
    expect(stderr.length).toBeLessThan(2100);
  });

  it('passes the tick context on stdin and in SIGNAL_BRIDGE_* variables, with a minimal environment', async () => {
    const dir = tempDir('ctx');
    const time = new Date('2024-05-02T10:00:00.000Z');
    const inherited = { PATH: process.env.PATH, HOME: '/home/quant', LANG: 'C.UTF-8', VIRTUAL_ENV: '/opt/venv', ALGOGENE_API_KEY: 'key-must-not-leak-123', BRIDGE_WEBHOOK_SECRET: 'secret-must-not-leak', R_HOME: '/usr/lib/R', OTHER: 'x' };
    const { signal } = await decide(
      `cat > ${q(path.join(dir, 'stdin.json'))}; env > ${q(path.join(dir, 'env.txt'))}; echo NONE`,
      { BRIDGE_COMMAND_ENV: 'R_HOME' },
      { time, tracked: TRACKED, instrument: 'ETHUSD', volume: 3, bridgeId: 'eth' },
      inherited,
    );
    expect(signal).toEqual({ side: null });
    const expected = { time: '2024-05-02T10:00:00.000Z', bridgeId: 'eth', instrument: 'ETHUSD', volume: 3, tracked: TRACKED };
    expect(JSON.parse(readFileSync(path.join(dir, 'stdin.json'), 'utf8'))).toEqual(expected);
    const env = Object.fromEntries(
      readFileSync(path.join(dir, 'env.txt'), 'utf8')
        .trim()
        .split('\n')
        .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(JSON.parse(env.SIGNAL_BRIDGE_CONTEXT ?? "null")).toEqual(expected);
    expect(env).toMatchObject({
      SIGNAL_BRIDGE_TIME: '2024-05-02T10:00:00.000Z',
      SIGNAL_BRIDGE_BRIDGE_ID: 'eth',
      SIGNAL_BRIDGE_INSTRUMENT: 'ETHUSD',
      SIGNAL_BRIDGE_VOLUME: '3',
      SIGNAL_BRIDGE_TRACKED_TRADE_ID: '746805590705',
      SIGNAL_BRIDGE_TRACKED_SIDE: 'BUY',
      SIGNAL_BRIDGE_TRACKED_VOLUME: '1',
      PATH: process.env.PATH,
      HOME: '/home/quant',
      LANG: 'C.UTF-8',
      VIRTUAL_ENV: '/opt/venv',
      R_HOME: '/usr/lib/R',
    });
    expect(env.ALGOGENE_API_KEY).toBeUndefined();
    expect(env.BRIDGE_WEBHOOK_SECRET).toBeUndefined();
    expect(env.OTHER).toBeUndefined();
  });

  it('sets the tracked-trade variables empty when nothing is tracked', async () => {
    const dir = tempDir('ctx0');
    await decide(`printf '[%s][%s]' "$SIGNAL_BRIDGE_TRACKED_TRADE_ID" "$SIGNAL_BRIDGE_TRACKED_SIDE" > ${q(path.join(dir, 'out'))}; cat > /dev/null`);
    expect(readFileSync(path.join(dir, 'out'), 'utf8')).toBe('[][]');
  });
});

describe('command: failures fail the tick and leave no process behind', () => {
  it('output that is not a signal', async () => {
    const { error } = await decide('echo maybe');
    expect(error).toBeInstanceOf(StrategyError);
    expect(error?.reason).toBe('invalid');
    expect(error?.message).toMatch(/not a signal: "maybe"/);
    const bad = await decide(`echo '{"signal":"BUY","volume":0}'`);
    expect(bad.error?.message).toMatch(/volume/);
    expect((await decide(`echo '{"signal":"BUY","size":1}'`)).error?.reason).toBe('invalid');
  });

  it('a volume above BRIDGE_MAX_VOLUME', async () => {
    const options = strategyOptions(`command:echo '{"signal":"BUY","volume":50}'`);
    const error = await safeDecide(create(options), tickContext(options.logs), { timeoutMs: 2000, maxVolume: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrategyError);
    expect((error as Error).message).toMatch(/above BRIDGE_MAX_VOLUME 10/);
  });

  it('a non-zero exit, even after printing a signal: stderr is logged and named', async () => {
    const { error, logs } = await decide('echo BUY; echo "Traceback: boom" >&2; exit 3');
    expect(error).toBeInstanceOf(StrategyError);
    expect(error?.message).toMatch(/exited with code 3: Traceback: boom/);
    expect(logs.find('strategy command failed; its stderr')[0]?.stderr).toBe('Traceback: boom');
  });

  it('a command that cannot be found', async () => {
    const { error } = await decide('no-such-command-for-signal-bridge');
    expect(error).toBeInstanceOf(StrategyError);
    expect(error?.message).toMatch(/exited with code 127/);
  });

  it('more than 64 KB of output: the command and its children are killed', async () => {
    const dir = tempDir('big');
    const leader = path.join(dir, 'leader.pid');
    const child = path.join(dir, 'child.pid');
    // The leader records itself, then a child records itself before it floods stdout; the leader lingers.
    const { error } = await decide(`echo $$ > ${q(leader)}; sh -c 'echo $$ > ${child}; exec yes BUY' & sleep 30`);
    expect(error).toBeInstanceOf(StrategyError);
    expect(error?.message).toMatch(/more than 65536 bytes/);
    expect(await waitGone(await readPid(leader))).toBe(true);
    expect(await waitGone(await readPid(child))).toBe(true);
  });

  it('exactly 64 KB of output is still read (and is not a signal)', async () => {
    const { error } = await decide(`head -c 65536 /dev/zero | tr '\\0' B`);
    expect(error?.reason).toBe('invalid');
  });

  it('a slow command: timeout, the process group is stopped', async () => {
    const dir = tempDir('slow');
    const leader = path.join(dir, 'leader.pid');
    const child = path.join(dir, 'child.pid');
    const options = strategyOptions(`command:echo $$ > ${q(leader)}; sleep 30 & echo $! > ${q(child)}; wait; echo BUY`);
    const error = await safeDecide(create(options), tickContext(options.logs), { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrategyError);
    expect((error as StrategyError).reason).toBe('timeout');
    expect(await waitGone(await readPid(leader))).toBe(true);
    expect(await waitGone(await readPid(child))).toBe(true);
  });

  it('a hanging command that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    const dir = tempDir('hang');
    const leader = path.join(dir, 'leader.pid');
    const child = path.join(dir, 'child.pid');
    const options = strategyOptions(`command:trap '' TERM; echo $$ > ${q(leader)}; sleep 30 & echo $! > ${q(child)}; wait; wait; echo BUY`, { BRIDGE_COMMAND_KILL_GRACE_MS: '200' });
    const error = await safeDecide(create(options), tickContext(options.logs), { timeoutMs: 300 }).catch((e: unknown) => e);
    expect((error as StrategyError).reason).toBe('timeout');
    expect(await waitGone(await readPid(leader))).toBe(true);
    expect(await waitGone(await readPid(child))).toBe(true);
  });

  it('a command that does not close its stdout (a background child holds it) times out and is stopped', async () => {
    const dir = tempDir('holder');
    const child = path.join(dir, 'child.pid');
    const options = strategyOptions(`command:sleep 30 & echo $! > ${q(child)}; echo BUY`);
    const error = await safeDecide(create(options), tickContext(options.logs), { timeoutMs: 300 }).catch((e: unknown) => e);
    expect((error as StrategyError).reason).toBe('timeout');
    expect(await waitGone(await readPid(child))).toBe(true);
  });

  it('after a successful answer, what the command left running is stopped too', async () => {
    const dir = tempDir('leftover');
    const child = path.join(dir, 'child.pid');
    const { signal } = await decide(`sleep 30 > /dev/null 2>&1 & echo $! > ${q(child)}; echo BUY`);
    expect(signal).toEqual({ side: 'BUY' });
    expect(await waitGone(await readPid(child))).toBe(true);
  });
});

describe('command: configuration', () => {
  it('an empty command line is a load error', () => {
    expect(() => create(strategyOptions('command:  '))).toThrow(StrategyLoadError);
  });

  it.each([
    [{ BRIDGE_COMMAND_KILL_GRACE_MS: 'soon' }, /BRIDGE_COMMAND_KILL_GRACE_MS: expected/],
    [{ BRIDGE_COMMAND_ENV: 'ALGOGENE_API_KEY' }, /BRIDGE_COMMAND_ENV: ALGOGENE_API_KEY/],
    [{ BRIDGE_COMMAND_ENV: 'BRIDGE_WEBHOOK_SECRET' }, /BRIDGE_COMMAND_ENV: BRIDGE_WEBHOOK_SECRET/],
    [{ BRIDGE_COMMAND_ENV: 'R HOME' }, /BRIDGE_COMMAND_ENV: expected/],
  ])('%o is a load error naming the variable', (settings, message) => {
    expect(() => create(strategyOptions('command:echo BUY', settings))).toThrow(StrategyLoadError);
    expect(() => create(strategyOptions('command:echo BUY', settings))).toThrow(message);
  });
});

describe('command: through the tick (built CLI `once` against the simulator)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ fillDelayS: 0, seed: 21 });
  });
  afterEach(() => killStrays());
  afterAll(async () => {
    await sim.close();
    removeWorkspaces();
  });

  it('the Python example publishes its order (side, volume, takeProfit, stopLoss); bad answers then touch nothing', async () => {
    const ws = makeWorkspace('command');
    const pyCommand = `command:python3 ${q(PY_EXAMPLE)} --prices ${q(PY_PRICES)} --volume 2`;
    // What the example answers, run by hand with a context on stdin.
    const expected = JSON.parse(execFileSync('python3', [PY_EXAMPLE, '--prices', PY_PRICES, '--volume', '2'], { input: '{"instrument":"BTCUSD"}' }).toString());
    expect(expected.signal).toBe('BUY');

    const run = await runCli(['once'], { env: bridgeEnv(sim, ws, { BRIDGE_STRATEGY: pyCommand, BRIDGE_POLICY: 'hold', BRIDGE_MAX_VOLUME: '2' }), cwd: ws.dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const [tick] = tickLines(run.stdout);
    expect(tick).toMatchObject({ msg: 'tick', signal: 'BUY' });
    const book = bookOf(sim, ws.account);
    expect(book).toHaveLength(1);
    // The example's levels come from its CSV, not from the simulator's prices: the simulator may
    // close the trade on one of them at once (it applies stop-loss and take-profit), so its state is not asserted.
    expect(book[0]).toMatchObject({ tradeId: tick!.opened, buysell: 'BUY', volume: 2, takeProfitLevel: expected.takeProfit, stopLossLevel: expected.stopLoss });

    const before = orderCalls(sim);
    for (const [line, extra, message] of [
      ['command:echo maybe', {}, /not a signal/],
      [`command:head -c 70000 /dev/zero | tr '\\0' B`, {}, /more than 65536 bytes/],
      ['command:echo SELL; exit 1', {}, /exited with code 1/],
      ['command:sleep 30; echo SELL', { BRIDGE_STRATEGY_TIMEOUT_MS: '300' }, /did not answer within 300 ms/],
    ] as const) {
      const bad = await runCli(['once'], { env: bridgeEnv(sim, ws, { BRIDGE_STRATEGY: line, BRIDGE_POLICY: 'hold', ...extra }), cwd: ws.dir });
      expect(bad.code, `${line}\n${bad.stdout}${bad.stderr}`).toBe(1);
      const [failed] = tickLines(bad.stdout);
      expect(failed).toMatchObject({ msg: 'tick failed' });
      expect(failed!.error).toMatch(message);
    }
    expect(orderCalls(sim)).toEqual(before);
    expect(liveOf(sim, ws.account).map((t) => t.tradeId)).toEqual([tick!.opened]);
  });
});
