/** file:<path> — unit tests through safeDecide, then the built CLI against the simulator. */
import { execFileSync, spawn } from 'node:child_process';
import { renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { StrategyLoadError } from '../../src/strategy/load-strategy.js';
import { safeDecide } from '../../src/strategy/safe-decide.js';
import { StrategyError } from '../../src/strategy/strategy-error.js';
import { create } from '../../strategies/file.js';
import { bookOf, bridgeEnv, killStrays, liveOf, makeWorkspace, orderCalls, removeWorkspaces, runCli, tickLines } from '../e2e/helpers.js';
import { PY_EXAMPLE, PY_PRICES, removeTempDirs, strategyOptions, tempDir, tickContext } from './helpers.js';

async function decide(file: string, settings: Record<string, string> = {}, time = new Date()) {
  const options = strategyOptions(`file:${file}`, settings);
  return safeDecide(create(options), tickContext(options.logs, { time }), { timeoutMs: 2000 }).then(
    (signal) => ({ signal, error: undefined }),
    (error: unknown) => ({ signal: undefined, error: error as StrategyError }),
  );
}

/** Sets a file's modification time `seconds` into the past. */
function age(file: string, seconds: number): void {
  const then = new Date(Date.now() - seconds * 1000);
  utimesSync(file, then, then);
}

afterAll(() => removeTempDirs());

describe('file: answers', () => {
  it('reads a word or the JSON signal, at every tick', async () => {
    const file = path.join(tempDir('read'), 'signal.txt');
    writeFileSync(file, 'sell\n');
    expect((await decide(file)).signal).toEqual({ side: 'SELL' });
    writeFileSync(file, 'NONE');
    expect((await decide(file)).signal).toEqual({ side: null });
    writeFileSync(file, '{"signal":"BUY","volume":3,"takeProfit":31000,"stopLoss":29500.25}\n');
    expect((await decide(file)).signal).toEqual({ side: 'BUY', volume: 3, takeProfit: 31000, stopLoss: 29500.25 });
  });

  it('a relative path is relative to the working directory at start', async () => {
    const dir = tempDir('rel');
    writeFileSync(path.join(dir, 'signal.txt'), 'BUY');
    const rel = path.relative(process.cwd(), path.join(dir, 'signal.txt'));
    expect((await decide(rel)).signal).toEqual({ side: 'BUY' });
  });

  it('a file just within BRIDGE_SIGNAL_MAX_AGE_S counts', async () => {
    const file = path.join(tempDir('fresh'), 'signal.txt');
    writeFileSync(file, 'BUY');
    age(file, 50);
    expect((await decide(file, { BRIDGE_SIGNAL_MAX_AGE_S: '60' })).signal).toEqual({ side: 'BUY' });
  });

  it('never sees half a file while the writer replaces it by rename', async () => {
    const dir = tempDir('atomic');
    const file = path.join(dir, 'signal.json');
    const body = (side: string) => `${JSON.stringify({ signal: side, comment: side.repeat(100) })}\n`;
    writeFileSync(file, body('BUY'));
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const tmp = path.join(dir, `.signal-${i}`);
        writeFileSync(tmp, body(i % 2 ? 'BUY' : 'SELL'));
        renameSync(tmp, file);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const seen = new Set<string | null>();
    for (let i = 0; i < 200; i++) {
      const { signal, error } = await decide(file);
      expect(error).toBeUndefined();
      seen.add(signal!.side);
    }
    writing = false;
    await writer;
    expect([...seen].every((s) => s === 'BUY' || s === 'SELL')).toBe(true);
  });
});

describe('file: failures fail the tick and keep the position', () => {
  it('a missing file', async () => {
    const { error } = await decide(path.join(tempDir('missing'), 'nope.txt'));
    expect(error).toBeInstanceOf(StrategyError);
    expect(error?.message).toMatch(/does not exist: the local strategy may have stopped: keeping the position/);
  });

  it('a file older than BRIDGE_SIGNAL_MAX_AGE_S (default 300)', async () => {
    const file = path.join(tempDir('stale'), 'signal.txt');
    writeFileSync(file, 'BUY');
    age(file, 301);
    const stale = await decide(file);
    expect(stale.error).toBeInstanceOf(StrategyError);
    expect(stale.error?.message).toMatch(/last written 30\d\.\d s before the tick, more than BRIDGE_SIGNAL_MAX_AGE_S=300: the local strategy may have stopped: keeping the position/);
    age(file, 61);
    expect((await decide(file, { BRIDGE_SIGNAL_MAX_AGE_S: '60' })).error?.message).toMatch(/BRIDGE_SIGNAL_MAX_AGE_S=60/);
  });

  it('an empty file (what a non-atomic rewrite looks like halfway)', async () => {
    const file = path.join(tempDir('empty'), 'signal.txt');
    writeFileSync(file, ' \n');
    expect((await decide(file)).error?.message).toMatch(/is empty .*write NONE to mean nothing/);
  });

  it('content that is not a signal', async () => {
    const file = path.join(tempDir('garbage'), 'signal.txt');
    writeFileSync(file, 'maybe later');
    const { error } = await decide(file);
    expect(error?.reason).toBe('invalid');
    expect(error?.message).toMatch(/not a signal/);
    writeFileSync(file, '{"signal":"BUY","volume":-1}');
    expect((await decide(file)).error?.message).toMatch(/volume/);
    writeFileSync(file, '{"signal":"BU');
    expect((await decide(file)).error?.message).toMatch(/invalid JSON/);
  });

  it('a file over 64 KB', async () => {
    const file = path.join(tempDir('big'), 'signal.txt');
    writeFileSync(file, `BUY${' '.repeat(64 * 1024)}`);
    const { error } = await decide(file);
    expect(error).toBeInstanceOf(StrategyError);
    expect(error?.message).toMatch(/more than 65536/);
  });

  it('a folder instead of a file', async () => {
    expect((await decide(tempDir('folder'))).error?.message).toMatch(/not a regular file/);
  });
});

describe('file: configuration', () => {
  it.each([
    ['file:', {}, /file: needs the path/],
    ['file:/tmp/x', { BRIDGE_SIGNAL_MAX_AGE_S: '0' }, /BRIDGE_SIGNAL_MAX_AGE_S: expected a number of seconds > 0, got "0"/],
    ['file:/tmp/x', { BRIDGE_SIGNAL_MAX_AGE_S: 'five' }, /BRIDGE_SIGNAL_MAX_AGE_S/],
  ])('%s %o is a load error', (spec, settings, message) => {
    expect(() => create(strategyOptions(spec, settings))).toThrow(StrategyLoadError);
    expect(() => create(strategyOptions(spec, settings))).toThrow(message);
  });
});

describe('file: through the tick (built CLI `once` against the simulator)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ fillDelayS: 0, seed: 22 });
  });
  afterEach(() => killStrays());
  afterAll(async () => {
    await sim.close();
    removeWorkspaces();
  });

  it('the Python example writes the file, the bridge publishes it; stale, missing and garbage files touch nothing', async () => {
    const ws = makeWorkspace('file');
    const file = path.join(ws.dir, 'signals', 'signal.json');
    execFileSync('mkdir', ['-p', path.dirname(file)]);
    execFileSync('python3', [PY_EXAMPLE, '--prices', PY_PRICES, '--volume', '0.5', '--write', file]);
    const written = JSON.parse(execFileSync('cat', [file]).toString());
    expect(written).toMatchObject({ signal: 'BUY', volume: 0.5 });
    const env = (extra: Record<string, string> = {}) => bridgeEnv(sim, ws, { BRIDGE_STRATEGY: `file:${file}`, BRIDGE_POLICY: 'hold', ...extra });

    const run = await runCli(['once'], { env: env(), cwd: ws.dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const [tick] = tickLines(run.stdout);
    expect(tick).toMatchObject({ msg: 'tick', signal: 'BUY' });
    expect(bookOf(sim, ws.account)).toEqual([
      expect.objectContaining({ tradeId: tick!.opened, buysell: 'BUY', volume: 0.5, state: 'open', takeProfitLevel: written.takeProfit, stopLossLevel: written.stopLoss }),
    ]);

    const before = orderCalls(sim);
    const failWith = async (message: RegExp) => {
      const bad = await runCli(['once'], { env: env(), cwd: ws.dir });
      expect(bad.code, bad.stdout + bad.stderr).toBe(1);
      expect(tickLines(bad.stdout)[0]).toMatchObject({ msg: 'tick failed', error: expect.stringMatching(message) });
    };
    age(file, 3600);
    await failWith(/keeping the position/);
    writeFileSync(file, 'SELL, I think');
    await failWith(/not a signal/);
    rmSync(file);
    await failWith(/does not exist/);
    expect(orderCalls(sim)).toEqual(before);
    expect(liveOf(sim, ws.account).map((t) => t.tradeId)).toEqual([tick!.opened]);
  });

  it('the Python example as a --write --every loop keeps the file fresh', async () => {
    const dir = tempDir('loop');
    const file = path.join(dir, 'signal.json');
    const child = spawn('python3', [PY_EXAMPLE, '--prices', PY_PRICES, '--write', file, '--every', '0.05'], { stdio: 'ignore' });
    const settings = { BRIDGE_SIGNAL_MAX_AGE_S: '30' };
    const until = async (test: (r: Awaited<ReturnType<typeof decide>>) => boolean) => {
      for (let i = 0; i < 400; i++) {
        const result = await decide(file, settings);
        if (test(result)) return result;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('the loop never produced the expected read');
    };
    try {
      expect((await until((r) => r.signal !== undefined)).signal).toMatchObject({ side: 'BUY' });
      // Made stale by hand, the file is fresh again once the loop has rewritten it.
      age(file, 3600);
      await until((r) => r.signal !== undefined);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
