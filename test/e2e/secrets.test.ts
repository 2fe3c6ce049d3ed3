/**
 * The API key and the session tokens never reach any output or the store, even at LOG_LEVEL=trace through a
 * cycle full of failures: 502 pages, connection resets, lost replies, refused tokens, a refused key.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { bridgeEnv, type CliResult, countTicks, type Env, killStrays, makeWorkspace, removeWorkspaces, runCli, spawnCli } from './helpers.js';

const USER = 'e2e';
const KEY = 'k-SECRET-e2e-0123456789';
const WRONG_KEY = 'k-WRONG-e2e-9876543210';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ users: [{ user: USER, apiKey: KEY }], fillDelayS: 0, seed: 17 });
});
afterAll(async () => {
  killStrays();
  await sim.close();
  removeWorkspaces();
});

describe('secrets', () => {
  it('a failing cycle at LOG_LEVEL=trace: no output of any process and no store file holds the key or a token', async () => {
    const ws = makeWorkspace('secrets');
    const env = (extra: Env = {}) => bridgeEnv(sim, ws, { ALGOGENE_USER: USER, ALGOGENE_API_KEY: KEY, LOG_LEVEL: 'trace', ...extra });
    const outputs: { what: string; result: CliResult }[] = [];
    const run = async (what: string, args: string[], e: Env) => {
      const result = await runCli(args, { env: e, cwd: ws.dir });
      outputs.push({ what, result });
      return result;
    };

    // 1. A normal BUY.
    expect((await run('once BUY', ['once'], env({ BRIDGE_TEST_SIGNAL: 'BUY' }))).code).toBe(0);
    // 2. The query meets a reset, the close a 502 page.
    sim.injectFault({ path: '/opened_trades', kind: 'reset', phase: 'before' });
    sim.injectFault({ path: '/close_orders', kind: '502', phase: 'before' });
    await run('once SELL, 502 on close', ['once'], env({ BRIDGE_TEST_SIGNAL: 'SELL' }));
    // 3. The order's reply is lost after the server acted (reset): the order is looked up by orderRef.
    sim.injectFault({ path: '/open_order', kind: 'reset', phase: 'after' });
    await run('once SELL, reset after open', ['once'], env({ BRIDGE_TEST_SIGNAL: 'SELL' }));
    // 4. No session at all: every /session attempt is reset (the URL of each carries the key).
    for (let i = 0; i < 3; i++) sim.injectFault({ path: '/session', kind: 'reset', phase: 'before' });
    await run('once, session reset', ['once'], env({ BRIDGE_TEST_SIGNAL: 'BUY' }));
    // 5. A token refused mid-run (401 on a URL that carries it), renewed.
    const daemon = spawnCli(['run', '--ticks', '2'], { env: env({ BRIDGE_TEST_SIGNAL: 'BUY', BRIDGE_SCHEDULE: '* * * * * *' }), cwd: ws.dir });
    await daemon.waitForStdout((out) => countTicks(out) >= 1, 'the first tick');
    sim.expireTokens();
    const daemonResult = await daemon.exited;
    outputs.push({ what: 'run --ticks 2 with tokens expired', result: daemonResult });
    expect(daemonResult.code).toBe(0);
    // 6. The read-only commands, and a wrong key (refused with 401).
    await run('status', ['status'], env());
    await run('status --json', ['status', '--json'], env());
    await run('check', ['check'], env());
    expect((await run('check, wrong key', ['check'], env({ ALGOGENE_API_KEY: WRONG_KEY }))).code).toBe(1);
    // 7. close with a reset on the close: it is looked up again.
    sim.injectFault({ path: '/close_orders', kind: 'reset', phase: 'after' });
    await run('close, reset after close', ['close'], env());

    // The searches below are only meaningful if the simulator issued tokens and the processes said a lot.
    const tokens = sim.issuedTokens();
    expect(tokens.length).toBeGreaterThanOrEqual(8);
    const secrets = [KEY, WRONG_KEY, ...tokens];
    const allText = outputs.map((o) => o.result.stdout + o.result.stderr).join('\n');
    expect(allText.length).toBeGreaterThan(5_000);
    expect(allText).toMatch(/"level":10\b|"level":20\b|"level":30\b/);

    const leaks: string[] = [];
    for (const { what, result } of outputs) {
      for (const [stream, text] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
        for (const s of secrets) if (text.includes(s)) leaks.push(`${what} ${stream}: ${s === KEY ? 'the API key' : s === WRONG_KEY ? 'the wrong API key' : `token ${s.slice(0, 4)}…`}`);
      }
    }
    expect(leaks).toEqual([]);

    // The store (the sqlite file and any journal beside it) holds trade IDs and orderRefs only.
    const files = readdirSync(ws.dir).filter((f) => f.startsWith('bridge.sqlite'));
    expect(files).toContain('bridge.sqlite');
    for (const f of files) {
      const bytes = readFileSync(path.join(ws.dir, f)).toString('latin1');
      for (const s of secrets) expect(bytes.includes(s), `${f} contains a secret`).toBe(false);
    }
  });
});
