/** Many bridges in one process (BRIDGE_CONFIG): one session per user, failures isolated, --bridge. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bookOf, bridgeEnv, FIXED_SIGNAL, jsonLines, killStrays, liveOf, makeWorkspace, ownSim, removeWorkspaces, runCli, tickLines, type Env, type Workspace } from './helpers.js';
import type { Simulator } from '../../src/sim/index.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

const USERS = [
  { user: 'demo', apiKey: 'demo-key' },
  { user: 'second', apiKey: 'second-key-0123456789' },
];

/** Three bridges: a and b of user demo, c of user second (credentials from its own variables). */
function threeBridges(sim: Simulator, ws: Workspace, signals: { a: string; b: string; c: string }): Env {
  const file = path.join(ws.dir, 'bridges.json');
  writeFileSync(
    file,
    JSON.stringify({
      defaults: { strategy: FIXED_SIGNAL },
      bridges: [
        { id: 'a', account: `${ws.account}-a`, settings: { BRIDGE_TEST_SIGNAL: signals.a } },
        { id: 'b', account: `${ws.account}-b`, instrument: 'ETHUSD', volume: 2, settings: { BRIDGE_TEST_SIGNAL: signals.b } },
        { id: 'c', account: `${ws.account}-c`, userEnv: 'SECOND_USER', apiKeyEnv: 'SECOND_KEY', settings: { BRIDGE_TEST_SIGNAL: signals.c } },
      ],
    }),
  );
  return { ...bridgeEnv(sim, ws), ALGOGENE_ACCOUNT_ID: undefined, BRIDGE_CONFIG: file, SECOND_USER: 'second', SECOND_KEY: USERS[1]!.apiKey };
}

describe.concurrent('many bridges in one process', () => {
  it('once: every bridge publishes on its own account; the bridges of one user share one session token', async (ctx) => {
    const sim = await ownSim(ctx, { users: USERS });
    const ws = makeWorkspace('many');
    const env = threeBridges(sim, ws, { a: 'BUY', b: 'SELL', c: 'BUY' });

    const r = await runCli(['once'], { env, cwd: ws.dir });

    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(tickLines(r.stdout).map((l) => l.bridge).sort()).toEqual(['a', 'b', 'c']);
    expect(liveOf(sim, `${ws.account}-a`).map((t) => [t.instrument, t.buysell, t.volume])).toEqual([['BTCUSD', 'BUY', 1]]);
    expect(liveOf(sim, `${ws.account}-b`).map((t) => [t.instrument, t.buysell, t.volume])).toEqual([['ETHUSD', 'SELL', 2]]);
    expect(liveOf(sim, `${ws.account}-c`, 'second').map((t) => t.buysell)).toEqual(['BUY']);
    // One /session for demo (bridges a and b), one for second.
    expect(sim.requests().byPath['/session']).toBe(2);
    expect(jsonLines(r.stdout).filter((l) => l.msg === 'session token renewed').map((l) => l.user).sort()).toEqual(['demo', 'second']);
    for (const id of ['a', 'b', 'c']) expect(liveOf(sim, `${ws.account}-${id}`, id === 'c' ? 'second' : 'demo')[0]!.orderRef).toMatch(new RegExp(`^sb\\.${id}\\.`));
  });

  it('a bridge whose strategy throws fails alone: the others publish, once exits 1, and the tick line names the bridge', async (ctx) => {
    const sim = await ownSim(ctx, { users: USERS });
    const ws = makeWorkspace('many-fail');
    const env = threeBridges(sim, ws, { a: 'BUY', b: 'THROW', c: 'SELL' });

    const r = await runCli(['once'], { env, cwd: ws.dir });

    expect(r.code).toBe(1);
    const failed = jsonLines(r.stdout).filter((l) => l.msg === 'tick failed');
    expect(failed.map((l) => l.bridge)).toEqual(['b']);
    expect(bookOf(sim, `${ws.account}-b`)).toEqual([]);
    expect(liveOf(sim, `${ws.account}-a`)).toHaveLength(1);
    expect(liveOf(sim, `${ws.account}-c`, 'second')).toHaveLength(1);
  });

  it('--bridge ID acts on that bridge only: once, status and close', async (ctx) => {
    const sim = await ownSim(ctx, { users: USERS });
    const ws = makeWorkspace('many-one');
    const env = threeBridges(sim, ws, { a: 'BUY', b: 'BUY', c: 'BUY' });

    const once = await runCli(['once', '--bridge', 'b'], { env, cwd: ws.dir });
    expect(once.code, once.stdout + once.stderr).toBe(0);
    expect(tickLines(once.stdout).map((l) => l.bridge)).toEqual(['b']);
    expect(bookOf(sim, `${ws.account}-a`)).toEqual([]);
    expect(liveOf(sim, `${ws.account}-b`)).toHaveLength(1);
    expect(bookOf(sim, `${ws.account}-c`, 'second')).toEqual([]);

    const all = await runCli(['once'], { env, cwd: ws.dir });
    expect(all.code, all.stdout + all.stderr).toBe(0);

    const status = await runCli(['status', '--json', '--bridge', 'a'], { env, cwd: ws.dir });
    expect(status.code).toBe(0);
    const doc = JSON.parse(status.stdout) as { bridges: { id: string; tracked: unknown[] }[] };
    expect(doc.bridges.map((b) => [b.id, b.tracked.length])).toEqual([['a', 1]]);

    const close = await runCli(['close', '--bridge', 'a'], { env, cwd: ws.dir });
    expect(close.code, close.stdout + close.stderr).toBe(0);
    expect(liveOf(sim, `${ws.account}-a`)).toEqual([]);
    expect(liveOf(sim, `${ws.account}-b`)).toHaveLength(1);
    expect(liveOf(sim, `${ws.account}-c`, 'second')).toHaveLength(1);
  });

  it('an unknown --bridge, or a bridges file with a bad field, exits 2 naming it before any request', async (ctx) => {
    const sim = await ownSim(ctx, { users: USERS });
    const ws = makeWorkspace('many-bad');
    const env = threeBridges(sim, ws, { a: 'BUY', b: 'BUY', c: 'BUY' });

    const unknown = await runCli(['once', '--bridge', 'zz'], { env, cwd: ws.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--bridge: no bridge with id zz \(have a, b, c\)/);

    const file = path.join(ws.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ bridges: [{ id: 'x', account: 'acc' }, { id: 'y', account: 'acc', volume: 0 }] }));
    const bad = await runCli(['once'], { env: { ...env, BRIDGE_CONFIG: file }, cwd: ws.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/BRIDGE_CONFIG bridges\[1\]\.volume: expected a number > 0/);
    expect(sim.requests().total).toBe(0);
  });
});
