/** `sim --port 0`: the simulator as its own process, used by a bridge like the real service. */
import { afterAll, describe, expect, it } from 'vitest';
import { FIXED_SIGNAL, killStrays, makeWorkspace, removeWorkspaces, runCli, spawnCli, statusJson, tickLines } from './helpers.js';

afterAll(() => {
  killStrays();
  removeWorkspaces();
});

describe('sim command', () => {
  it('prints the base URL; a once against it publishes; status sees the trade; SIGTERM stops it with 0', async () => {
    const ws = makeWorkspace('sim-cmd');
    const simProc = spawnCli(['sim', '--port', '0'], { env: {}, cwd: ws.dir });
    const out = await simProc.waitForStdout((s) => /ALGOGENE_BASE_URL=\S+\n/.test(s), 'the base URL');
    const url = /ALGOGENE_BASE_URL=(http:\/\/127\.0\.0\.1:\d+\/rest\/v1)\n/.exec(out)?.[1];
    expect(url, out).toBeDefined();

    const env = {
      ALGOGENE_BASE_URL: url,
      ALGOGENE_USER: 'demo',
      ALGOGENE_API_KEY: 'demo-key',
      ALGOGENE_ACCOUNT_ID: ws.account,
      BRIDGE_STORE: ws.store,
      BRIDGE_STRATEGY: FIXED_SIGNAL,
      BRIDGE_INSTRUMENT: 'BTCUSD',
      BRIDGE_TEST_SIGNAL: 'BUY',
    };
    const once = await runCli(['once'], { env, cwd: ws.dir });
    expect(once.code, once.stdout + once.stderr).toBe(0);
    const [tick] = tickLines(once.stdout);
    expect(tick).toMatchObject({ msg: 'tick', signal: 'BUY' });
    expect(tick!.opened).toMatch(/^\d{12}$/);

    const status = await statusJson(env, ws.dir);
    expect(status.tracked.map((t) => [t.trade.tradeId, t.server.where])).toEqual([[tick!.opened, 'open']]);

    simProc.kill('SIGTERM');
    const r = await simProc.exited;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // Stopped means stopped: nothing listens on the port any more.
    await expect(fetch(`${url}/session?user=demo&api_key=demo-key`)).rejects.toThrow();
  });
});
