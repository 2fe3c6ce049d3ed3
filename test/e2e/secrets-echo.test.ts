/**
 * A server (or proxy) whose failure reason echoes the request, API key and session token included: check, status,
 * status --json and close print those reasons, and not one of them may carry the key or a token. Every byte the CLI
 * writes passes through one scrubbing writer (main wraps the streams once), so this holds for any command.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { bridgeEnv, type CliResult, killStrays, makeWorkspace, ownSim, removeWorkspaces, runCli, tickLines } from './helpers.js';

const USER = 'echo-user';
const KEY = 'k-SECRET-echo-0123456789';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

/** The next requests answer 400 with the request in their reason: all of them, or all but /session (so a token is issued, then echoed). */
function echo(sim: Simulator, which: 'all' | 'after-session'): void {
  if (which === 'all') return sim.setFaults({ failRate: 1, failKinds: ['echo'] });
  for (const path of ['/opened_trades', '/pending_trades', '/query_order', '/strategy_trade', '/close_orders']) for (let i = 0; i < 6; i++) sim.injectFault({ path, kind: 'echo' });
}

describe('secrets and a server that echoes the request', () => {
  it('check, status, status --json and close print the echoed reasons without the key or any token', async (ctx) => {
    const sim = await ownSim(ctx, { users: [{ user: USER, apiKey: KEY }], seed: 31 });
    const ws = makeWorkspace('echo');
    const env = bridgeEnv(sim, ws, { ALGOGENE_USER: USER, ALGOGENE_API_KEY: KEY, LOG_LEVEL: 'debug' });
    // A trade to look at and to close, and a token issued before the echoes start.
    const opened = await runCli(['once'], { env: { ...env, BRIDGE_TEST_SIGNAL: 'BUY' }, cwd: ws.dir });
    expect(opened.code, opened.stdout + opened.stderr).toBe(0);
    expect(tickLines(opened.stdout)[0]!.opened).toBeDefined();

    const outputs: { what: string; result: CliResult }[] = [];
    for (const args of [['check'], ['status'], ['status', '--json'], ['close']]) {
      for (const which of ['all', 'after-session'] as const) {
        echo(sim, which);
        outputs.push({ what: `${args.join(' ')} (echo ${which})`, result: await runCli(args, { env, cwd: ws.dir }) });
        sim.setFaults({ failRate: 0 });
      }
    }
    // The test means something only if the echoes reached the outputs: the reason is printed, masked.
    const all = outputs.map((o) => o.result.stdout + o.result.stderr).join('\n');
    expect(all).toMatch(/Bad request: GET \S*\/session\?\S*api_key=\[REDACTED\]/);
    expect(all).toMatch(/Bad request: GET \S*\/opened_trades\?\S*token=\[REDACTED\]/);
    const tokens = sim.issuedTokens();
    expect(tokens.length).toBeGreaterThanOrEqual(1);
    const leaks: string[] = [];
    for (const { what, result } of outputs) {
      for (const [stream, text] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
        for (const secret of [KEY, ...tokens]) {
          for (const form of [secret, encodeURIComponent(secret)]) if (text.includes(form)) leaks.push(`${what} ${stream}: ${secret === KEY ? 'the API key' : 'a token'}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });
});
